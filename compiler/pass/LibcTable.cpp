// LibcTable.cpp — the declared table of library behaviours (see LibcTable.h for the
// meaning of each effect). Argument indices are 0-based. Order does not matter
// (sorted once at first use). Functions not listed get plain translation of every pointer
// argument, including variadic ones.
#include "LibcTable.h"

#include "alaska/abi.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <vector>

namespace alaska {

#define R(fn, a) {fn, Effect::ResultFrom, a, -1, nullptr}
#define OUT(fn, a, b) {fn, Effect::OutPtrFrom, a, b, nullptr}
#define PIN(fn, a) {fn, Effect::PinForever, a, -1, nullptr}
#define OPAQUE(fn, a) {fn, Effect::Opaque, a, -1, nullptr}
#define WRAP(fn, w) {fn, Effect::Wrap, -1, -1, w}
#define REDIRECT(fn, w) {fn, Effect::Redirect, -1, -1, w}
#define COMPILED(fn) {fn, Effect::CompiledCopy, -1, -1, nullptr}
#define STRING_CTOR(mangled, cls)                                                          \
  WRAP("_ZNSt" mangled "C1ERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE",          \
       "alaska_cxx_" cls "_from_string"),                                                  \
      WRAP("_ZNSt" mangled "C2ERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE",      \
           "alaska_cxx_" cls "_from_string")

static const LibcRule Table[] = {
    // fortified variants return their destination
    R("__memcpy_chk", 0), R("__memmove_chk", 0), R("__mempcpy_chk", 0), R("__memset_chk", 0),
    R("__stpcpy_chk", 0), R("__strcat_chk", 0), R("__strcpy_chk", 0), R("__strncat_chk", 0),
    R("__strncpy_chk", 0),
    // glibc-internal names its headers' inline functions call
    WRAP("__getdelim", ALASKA_RT_GETDELIM), WRAP("__strtok_r", ALASKA_RT_STRTOK_R),
    WRAP("__strsep", ALASKA_RT_STRSEP), R("__stpcpy", 0), R("__mempcpy", 0),
    R("__rawmemchr", 0), R("__strchrnul", 0),
    // C++ runtime: the cleanup object is handed back to the (compiled) destructor
    OPAQUE("__cxa_atexit", 1), OPAQUE("__cxa_thread_atexit_impl", 1),
    R("asctime_r", 1), R("basename", 0), OPAQUE("bsearch", 0), R("bsearch", 1),
    R("ctime_r", 1), R("dirname", 0),
    WRAP("execv", ALASKA_RT_EXECV), WRAP("execve", ALASKA_RT_EXECVE),
    WRAP("execvp", ALASKA_RT_EXECVP),
    R("fgets", 0), R("fgets_unlocked", 0), PIN("fmemopen", 0), OPAQUE("fopencookie", 0),
    R("getcwd", 0), WRAP("getdelim", ALASKA_RT_GETDELIM),
    WRAP("getline", ALASKA_RT_GETLINE), R("gmtime_r", 1), R("index", 0),
    PIN("initstate", 1), OPAQUE("lfind", 0), R("lfind", 1), R("localtime_r", 1),
    OPAQUE("lsearch", 0), R("lsearch", 1),
    R("memccpy", 0), R("memchr", 0), R("memcpy", 0), R("memmem", 0), R("memmove", 0),
    R("mempcpy", 0), R("memrchr", 0), R("memset", 0), OPAQUE("on_exit", 1),
    PIN("pthread_attr_setstack", 1), OPAQUE("pthread_create", 3),
    OPAQUE("pthread_setspecific", 1), {"pthread_getspecific", Effect::ReturnsOpaque, -1, -1, nullptr}, WRAP("preadv", ALASKA_RT_PREADV), PIN("putenv", 0),
    WRAP("pwritev", ALASKA_RT_PWRITEV), OPAQUE("qsort_r", 4), R("rawmemchr", 0),
    WRAP("readv", ALASKA_RT_READV), R("realpath", 1), WRAP("recvmsg", ALASKA_RT_RECVMSG),
    R("rindex", 0), WRAP("sendmsg", ALASKA_RT_SENDMSG), PIN("setbuf", 1),
    PIN("setbuffer", 1), PIN("setstate", 0), PIN("setvbuf", 1), R("stpcpy", 0),
    R("stpncpy", 0), R("strcasestr", 0), R("strcat", 0), R("strchr", 0), R("strchrnul", 0),
    R("strcpy", 0), R("strerror_r", 1), R("strncat", 0), R("strncpy", 0), R("strpbrk", 0),
    R("strrchr", 0), WRAP("strsep", ALASKA_RT_STRSEP), R("strstr", 0), OUT("strtod", 1, 0),
    OUT("strtof", 1, 0), OUT("strtoimax", 1, 0), WRAP("strtok", ALASKA_RT_STRTOK),
    WRAP("strtok_r", ALASKA_RT_STRTOK_R), OUT("strtol", 1, 0), OUT("strtold", 1, 0),
    OUT("strtoll", 1, 0), OUT("strtoul", 1, 0), OUT("strtoull", 1, 0),
    OUT("strtoumax", 1, 0), OPAQUE("tdelete", 0), OPAQUE("tfind", 0), OPAQUE("tsearch", 0),
    WRAP("vasprintf", ALASKA_RT_VASPRINTF), WRAP("vdprintf", ALASKA_RT_VDPRINTF),
    WRAP("vfprintf", ALASKA_RT_VFPRINTF), WRAP("vprintf", ALASKA_RT_VPRINTF),
    WRAP("vsnprintf", ALASKA_RT_VSNPRINTF), WRAP("vsprintf", ALASKA_RT_VSPRINTF),
    WRAP("__vfprintf_chk", ALASKA_RT_VFPRINTF_CHK), WRAP("__vprintf_chk", ALASKA_RT_VPRINTF_CHK),
    WRAP("__vdprintf_chk", ALASKA_RT_VDPRINTF_CHK),
    WRAP("__vasprintf_chk", ALASKA_RT_VASPRINTF_CHK),
    WRAP("__vsnprintf_chk", ALASKA_RT_VSNPRINTF_CHK),
    WRAP("__vsprintf_chk", ALASKA_RT_VSPRINTF_CHK),
    WRAP("vsscanf", ALASKA_RT_VSSCANF), WRAP("vfscanf", ALASKA_RT_VFSCANF),
    WRAP("vscanf", ALASKA_RT_VSCANF), WRAP("__isoc99_vsscanf", ALASKA_RT_VSSCANF),
    WRAP("__isoc99_vfscanf", ALASKA_RT_VFSCANF), WRAP("__isoc99_vscanf", ALASKA_RT_VSCANF),
    R("wcschr", 0), R("wcscpy", 0), R("wcspbrk", 0), R("wcsrchr", 0), R("wcsstr", 0),
    R("wmemchr", 0), R("wmemcpy", 0), R("wmemmove", 0), R("wmemset", 0),
    WRAP("writev", ALASKA_RT_WRITEV),
    // libstdc++ node algorithms, provided compiled by libalaska_cxx.a
    COMPILED("_ZSt18_Rb_tree_incrementPSt18_Rb_tree_node_base"),
    COMPILED("_ZSt18_Rb_tree_incrementPKSt18_Rb_tree_node_base"),
    COMPILED("_ZSt18_Rb_tree_decrementPSt18_Rb_tree_node_base"),
    COMPILED("_ZSt18_Rb_tree_decrementPKSt18_Rb_tree_node_base"),
    COMPILED("_ZSt29_Rb_tree_insert_and_rebalancebPSt18_Rb_tree_node_baseS0_RS_"),
    COMPILED("_ZSt28_Rb_tree_rebalance_for_erasePSt18_Rb_tree_node_baseRS_"),
    COMPILED("_ZSt20_Rb_tree_black_countPKSt18_Rb_tree_node_baseS1_"),
    COMPILED("_ZNSt8__detail15_List_node_base4swapERS0_S1_"),
    COMPILED("_ZNSt8__detail15_List_node_base11_M_transferEPS0_S1_"),
    COMPILED("_ZNSt8__detail15_List_node_base10_M_reverseEv"),
    COMPILED("_ZNSt8__detail15_List_node_base7_M_hookEPS0_"),
    COMPILED("_ZNSt8__detail15_List_node_base9_M_unhookEv"),
    // exception constructors reading a std::string's heap buffer (libalaska_cxx.a)
    STRING_CTOR("11logic_error", "logic_error"), STRING_CTOR("12domain_error", "domain_error"),
    STRING_CTOR("16invalid_argument", "invalid_argument"),
    STRING_CTOR("12length_error", "length_error"), STRING_CTOR("12out_of_range", "out_of_range"),
    STRING_CTOR("13runtime_error", "runtime_error"), STRING_CTOR("11range_error", "range_error"),
    STRING_CTOR("14overflow_error", "overflow_error"),
    STRING_CTOR("15underflow_error", "underflow_error"),
    // std::getline / operator>> into a std::string (libstdc++ explicit specializations)
    WRAP("_ZSt7getlineIcSt11char_traitsIcESaIcEERSt13basic_istreamIT_T0_ES7_RNSt7__cxx1112"
         "basic_stringIS4_S5_T1_EES4_",
         "alaska_cxx_getline_delim"),
    WRAP("_ZSt7getlineIcSt11char_traitsIcESaIcEERSt13basic_istreamIT_T0_ES7_RNSt7__cxx1112"
         "basic_stringIS4_S5_T1_EE",
         "alaska_cxx_getline"),
    WRAP("_ZStrsIcSt11char_traitsIcESaIcEERSt13basic_istreamIT_T0_ES7_RNSt7__cxx1112basic_"
         "stringIS4_S5_T1_EE",
         "alaska_cxx_extract_string"),
    // std::thread's state and a condition variable's unique_lock hold handles
    WRAP("_ZNSt6thread15_M_start_threadESt10unique_ptrINS_6_StateESt14default_deleteIS1_EEPFvvE",
         "alaska_cxx_thread_start"),
    WRAP("_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE", "alaska_cxx_condvar_wait"),
    // istream >> number: num_get (libstdc++.so) would read a string stream's handle buffer
    REDIRECT("_ZNSi10_M_extractIlEERSiRT_", "alaska_cxx_extract_long"),
    REDIRECT("_ZNSi10_M_extractItEERSiRT_", "alaska_cxx_extract_ushort"),
    REDIRECT("_ZNSi10_M_extractIjEERSiRT_", "alaska_cxx_extract_uint"),
    REDIRECT("_ZNSi10_M_extractImEERSiRT_", "alaska_cxx_extract_ulong"),
    REDIRECT("_ZNSi10_M_extractIxEERSiRT_", "alaska_cxx_extract_llong"),
    REDIRECT("_ZNSi10_M_extractIyEERSiRT_", "alaska_cxx_extract_ullong"),
    REDIRECT("_ZNSi10_M_extractIbEERSiRT_", "alaska_cxx_extract_bool"),
    REDIRECT("_ZNSi10_M_extractIfEERSiRT_", "alaska_cxx_extract_float"),
    REDIRECT("_ZNSi10_M_extractIdEERSiRT_", "alaska_cxx_extract_double"),
    REDIRECT("_ZNSi10_M_extractIeEERSiRT_", "alaska_cxx_extract_ldouble"),
    REDIRECT("_ZNSi10_M_extractIPvEERSiRT_", "alaska_cxx_extract_ptr"),
    REDIRECT("_ZNSirsERi", "alaska_cxx_extract_int"),
    // ios_base's constructor (libstdc++.so) stores a pointer to the object's own
    // _M_local_word in _M_word, and ~ios_base deletes _M_word when it differs from
    // _M_local_word: a stream that moved would free its old address. Streams never move.
    PIN("_ZNSt8ios_baseC1Ev", 0), PIN("_ZNSt8ios_baseC2Ev", 0),
    // ostream << number: num_put would call a stringbuf's virtuals with its raw address
    REDIRECT("_ZNSo9_M_insertIlEERSoT_", "alaska_cxx_insert_long"),
    REDIRECT("_ZNSo9_M_insertImEERSoT_", "alaska_cxx_insert_ulong"),
    REDIRECT("_ZNSo9_M_insertIxEERSoT_", "alaska_cxx_insert_llong"),
    REDIRECT("_ZNSo9_M_insertIyEERSoT_", "alaska_cxx_insert_ullong"),
    REDIRECT("_ZNSo9_M_insertIbEERSoT_", "alaska_cxx_insert_bool"),
    REDIRECT("_ZNSo9_M_insertIdEERSoT_", "alaska_cxx_insert_double"),
    REDIRECT("_ZNSo9_M_insertIeEERSoT_", "alaska_cxx_insert_ldouble"),
    REDIRECT("_ZNSo9_M_insertIPKvEERSoT_", "alaska_cxx_insert_ptr"),
    REDIRECT("_ZNSirsERs", "alaska_cxx_extract_short"),
};

LibcRules findLibcRules(llvm::StringRef Name) {
  static const std::vector<LibcRule> Sorted = [] {
    std::vector<LibcRule> V(std::begin(Table), std::end(Table));
    std::stable_sort(V.begin(), V.end(), [](const LibcRule &A, const LibcRule &B) {
      return std::strcmp(A.Function, B.Function) < 0;
    });
    return V;
  }();
  auto Lo = std::lower_bound(Sorted.begin(), Sorted.end(), Name,
                             [](const LibcRule &R, llvm::StringRef N) {
                               return llvm::StringRef(R.Function) < N;
                             });
  auto Hi = Lo;
  while (Hi != Sorted.end() && Name == Hi->Function) ++Hi;
  if (Lo == Hi) return {nullptr, 0};
  return {&*Lo, unsigned(Hi - Lo)};
}

} // namespace alaska
