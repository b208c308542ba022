using System.Runtime.InteropServices;
using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

// Single global variables found by name in the object's BTF (the generated loader's typed global properties).
public sealed partial class BpfObject
{
    /// <summary>
    /// The global variable <paramref name="name"/> (a <c>static</c> field of the BPF class, or a C global), found
    /// in the BTF DATASEC of <c>.rodata</c>, <c>.data</c>, <c>.bss</c> or a custom <c>.data.*</c>/<c>.rodata.*</c>
    /// section. Usable before <see cref="Load"/> (initial values) and after (live values).
    /// </summary>
    /// <typeparam name="T">The variable's type: exactly its size.</typeparam>
    /// <param name="name">The variable's name.</param>
    /// <exception cref="KeyNotFoundException">No global variable has that name (the message lists those that exist).</exception>
    /// <exception cref="BpfException"><typeparamref name="T"/> does not have the variable's size, or the object has no BTF.</exception>
    public unsafe BpfGlobal<T> GetGlobal<T>(string name)
        where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var found = new List<string>();
        using (LeaseOpen($"find global '{name}'"))
        {
            var btf = LibBpf.bpf_object__btf(_handle.DangerousGetHandle());
            if (btf == 0)
                throw new BpfException($"BPF object '{Name}' has no BTF, so its global variables cannot be found by name; use GetGlobals<T>(section) with the section's layout.");
            var count = LibBpf.btf__type_cnt(btf);
            for (uint id = 1; id < count; id++)
            {
                var type = LibBpf.btf__type_by_id(btf, id);
                if (type is null || Kind(type[1]) != LibBpf.BtfKindDatasec) continue;
                var section = NameOf(btf, type[0]);
                var map = FindSectionMap(section);
                if (map is null) continue;
                // struct btf_var_secinfo { u32 type; u32 offset; u32 size; }[vlen] follows the 12-byte btf_type.
                var vars = type + 3;
                for (var i = 0; i < Vlen(type[1]); i++)
                {
                    var var = LibBpf.btf__type_by_id(btf, vars[3 * i]);
                    if (var is null || Kind(var[1]) != LibBpf.BtfKindVar) continue;
                    var varName = NameOf(btf, var[0]);
                    if (varName != name)
                    {
                        found.Add(varName);
                        continue;
                    }
                    var size = vars[3 * i + 2];
                    if (size != (uint)sizeof(T))
                        throw new BpfException(
                            $"Global '{name}' of BPF object '{Name}' has {size} bytes ({section}), but {typeof(T).Name} has {sizeof(T)}: use the field's own type.");
                    return new BpfGlobal<T>(this, map, section, name, vars[3 * i + 1]);
                }
            }
        }
        throw new KeyNotFoundException(
            $"BPF object '{Name}' has no global variable '{name}'; its globals are: {NameList(found.Order(StringComparer.Ordinal))}.");

        static int Kind(uint info) => (int)((info >> 24) & 0x1f);
        static int Vlen(uint info) => (int)(info & 0xffff);
        static string NameOf(nint btf, uint offset) => Marshal.PtrToStringUTF8((nint)LibBpf.btf__name_by_offset(btf, offset)) ?? "";
    }
}
