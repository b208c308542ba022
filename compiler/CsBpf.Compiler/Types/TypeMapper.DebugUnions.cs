using CsBpf.Compiler.Llvm;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Types;

// BTF for explicit layouts. Fields that overlap become a union, as C would write it: each run of overlapping
// fields is one anonymous union member at the run's start; inside it, fields are laid into "lanes" of
// non-overlapping fields, each lane a member of the union (a single field starting at the run's start
// directly, otherwise an anonymous struct with the fields at their offsets relative to the run). BTF requires
// every union member at offset 0 (kernel/bpf/btf.c, btf_struct_check_meta), which this construction gives.
internal sealed partial class TypeMapper
{
    private LMetadata ExplicitDebugType(INamedTypeSymbol type, TypeLayout layout,
        IReadOnlyDictionary<string, (int Index, ulong Offset, ITypeSymbol Type)> fields)
    {
        var ordered = fields
            .Select(f => (Name: f.Key, f.Value.Offset, f.Value.Type, Size: StorageSize(type, f.Key, f.Value.Type)))
            .OrderBy(f => f.Offset).ThenBy(f => DeclarationOrder(type, f.Name))
            .ToList();
        var members = new List<LMetadata>();
        int i = 0;
        while (i < ordered.Count)
        {
            // A run: fields overlapping the first one, transitively.
            ulong start = ordered[i].Offset, end = ordered[i].Offset + ordered[i].Size;
            int j = i + 1;
            while (j < ordered.Count && ordered[j].Offset < end)
            {
                end = Math.Max(end, ordered[j].Offset + ordered[j].Size);
                j++;
            }
            var run = ordered.GetRange(i, j - i);
            i = j;
            if (run.Count == 1)
            {
                members.Add(DebugMember(type, run[0].Name, run[0].Type, run[0].Offset));
                continue;
            }
            var lanes = new List<List<(string Name, ulong Offset, ITypeSymbol Type, ulong Size)>>();
            foreach (var field in run)
            {
                var lane = lanes.FirstOrDefault(l => l[^1].Offset + l[^1].Size <= field.Offset);
                if (lane is null) lanes.Add(lane = []);
                lane.Add(field);
            }
            var unionMembers = new List<LMetadata>();
            foreach (var lane in lanes)
            {
                if (lane.Count == 1 && lane[0].Offset == start)
                {
                    unionMembers.Add(DebugMember(type, lane[0].Name, lane[0].Type, 0));
                    continue;
                }
                ulong laneEnd = lane.Max(f => f.Offset + f.Size) - start;
                LMetadata[] inner = lane.Select(f => DebugMember(type, f.Name, f.Type, f.Offset - start)).ToArray();
                LMetadata laneStruct = llvm.DiStruct(File, null, File, 0, laneEnd * 8, 8, inner);
                unionMembers.Add(llvm.DiMember(File, "", File, 0, laneEnd * 8, 8, 0, laneStruct));
            }
            LMetadata union = llvm.DiUnion(File, null, File, 0, (end - start) * 8, 8, unionMembers.ToArray());
            members.Add(llvm.DiMember(File, "", File, 0, (end - start) * 8, 8, start * 8, union));
        }
        return llvm.DiStruct(File, type.Name, File, 0, layout.Size * 8, layout.Align * 8, members.ToArray());
    }

    private ulong StorageSize(INamedTypeSymbol owner, string name, ITypeSymbol type) =>
        owner.GetMembers(name).OfType<IFieldSymbol>().FirstOrDefault() is { IsFixedSizeBuffer: true, Type: IPointerTypeSymbol p } buffer
            ? TryGetLayout(p.PointedAtType, out _)!.Size * (ulong)buffer.FixedSize
            : TryGetLayout(type, out _)!.Size;

    private static int DeclarationOrder(INamedTypeSymbol owner, string name) =>
        owner.GetMembers().OfType<IFieldSymbol>().Select((f, k) => (f, k)).First(x => x.f.Name == name).k;
}
