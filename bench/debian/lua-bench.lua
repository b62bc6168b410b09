-- bench/debian/lua-bench.lua — a CPU-bound Lua 5.4 workload for bench/run-overhead.sh:
-- table-heavy object churn (binary trees), string building and pattern matching, closures
-- and a numeric kernel. Deterministic; prints checksums that native and Alaska builds of the
-- interpreter must agree on.

local function bottom_up(depth)
  if depth == 0 then return {} end
  depth = depth - 1
  return { bottom_up(depth), bottom_up(depth) }
end

local function check(tree)
  if tree[1] then return 1 + check(tree[1]) + check(tree[2]) end
  return 1
end

local function trees(max_depth)
  local sum = 0
  local long_lived = bottom_up(max_depth)
  for depth = 4, max_depth, 2 do
    local iters = 1 << (max_depth - depth + 4)
    for _ = 1, iters do sum = sum + check(bottom_up(depth)) end
  end
  return sum + check(long_lived)
end

local function strings(n)
  local parts, seen = {}, {}
  for i = 1, n do
    local s = string.format("key%05d:%x", i % 7919, i * 2654435761 % 4294967296)
    parts[#parts + 1] = s
    seen[s] = (seen[s] or 0) + 1
  end
  local joined = table.concat(parts, ",")
  local count, digits = 0, 0
  for k, v in joined:gmatch("key(%d+):(%x+)") do
    count = count + 1
    digits = digits + #v + tonumber(k)
  end
  local distinct = 0
  for _ in pairs(seen) do distinct = distinct + 1 end
  return count, digits, distinct, #joined
end

local function closures(n)
  local acc = {}
  for i = 1, 64 do
    local base = i
    acc[i] = function(x) base = (base * 31 + x) % 1000003; return base end
  end
  local s = 0
  for i = 1, n do s = (s + acc[(i % 64) + 1](i)) % 1000000007 end
  return s
end

local function sieve_sort(n)
  local flags, primes = {}, {}
  for i = 2, n do flags[i] = true end
  for i = 2, n do
    if flags[i] then
      primes[#primes + 1] = i
      for j = i * i, n, i do flags[j] = false end
    end
  end
  local shuffled = {}
  local x = 12345
  for i = 1, #primes do
    x = (x * 1103515245 + 12345) % 2147483648
    shuffled[i] = { p = primes[i], k = x }
  end
  table.sort(shuffled, function(a, b) return a.k < b.k end)
  local h = 0
  for i = 1, #shuffled do h = (h * 33 + shuffled[i].p) % 4294967296 end
  return #primes, h
end

print("trees", trees(13))
print("strings", strings(150000))
print("closures", closures(1000000))
print("sieve", sieve_sort(1000000))
print("lua-bench: ok")
