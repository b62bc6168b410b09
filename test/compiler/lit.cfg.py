# lit configuration of the Alaska pass tests. Substitutions:
#   %opt   opt-19 with the Alaska plugin loaded (verifies its output by default)
#   %clang clang-19 with the plugin as -fpass-plugin
#   FileCheck, not: from the LLVM 19 installation
import os
import lit.formats

config.name = 'alaska-compiler'
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = ['.ll', '.c', '.cpp']
config.test_source_root = os.path.dirname(__file__)
config.excludes = ['lit.cfg.py', 'lit.site.cfg.py.in', 'Inputs']

if not os.path.exists(config.alaska_plugin):
    lit_config.fatal('alaska: plugin not built: ' + config.alaska_plugin)

llvm = config.llvm_bin
config.substitutions.append(('%opt', '%s/opt -load-pass-plugin %s' % (llvm, config.alaska_plugin)))
config.substitutions.append(('%clangxx', '%s/clang++ -fpass-plugin=%s -include %s' %
                             (llvm, config.alaska_plugin, config.alaska_cxx_prelude)))
# after %clangxx: lit substitutes in order and %clang is a prefix of it
config.substitutions.append(('%clang', '%s/clang -fpass-plugin=%s -I%s' %
                             (llvm, config.alaska_plugin, config.alaska_include)))
config.substitutions.append(('%plugin', config.alaska_plugin))
config.environment['PATH'] = os.pathsep.join([llvm, config.environment.get('PATH', '')])
