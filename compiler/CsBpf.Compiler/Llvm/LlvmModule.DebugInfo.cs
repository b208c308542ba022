namespace CsBpf.Compiler.Llvm;

// Debug-info construction. Names and paths are copied into LLVM, so the byte[] temporaries can go.
internal sealed unsafe partial class LlvmModule
{
    private const int DwLangC11 = 28;        // LLVMDWARFSourceLanguageC11: BTF has no notion of C#; C is what libbpf expects
    private const int EmissionFull = 1;       // LLVMDWARFEmissionFull
    public const int FlagPrototyped = 1 << 8; // LLVMDIFlagPrototyped

    public LMetadata DiFile(string fileName, string directory)
    {
        byte[] f = Utf8(fileName), d = Utf8(directory);
        fixed (byte* pf = f) fixed (byte* pd = d)
            return LibLlvm.DIBuilderCreateFile(_diBuilder, pf, (nuint)f.Length, pd, (nuint)d.Length);
    }

    public LMetadata DiCompileUnit(LMetadata file, string producer)
    {
        byte[] p = Utf8(producer);
        byte empty = 0;
        fixed (byte* pp = p)
            return LibLlvm.DIBuilderCreateCompileUnit(_diBuilder, DwLangC11, file, pp, (nuint)p.Length, 1, &empty, 0, 0, &empty, 0,
                EmissionFull, 0, 0, 0, &empty, 0, &empty, 0);
    }

    public LMetadata DiFunction(LMetadata scope, string name, LMetadata file, uint line, LMetadata type, bool localToUnit)
    {
        byte[] n = Utf8(name);
        fixed (byte* pn = n)
            return LibLlvm.DIBuilderCreateFunction(_diBuilder, scope, pn, (nuint)n.Length, pn, (nuint)n.Length, file, line, type,
                localToUnit ? 1 : 0, 1, line, FlagPrototyped, 1);
    }

    public LMetadata DiSubroutineType(LMetadata file, ReadOnlySpan<LMetadata> returnThenParameters)
    {
        fixed (LMetadata* p = returnThenParameters)
            return LibLlvm.DIBuilderCreateSubroutineType(_diBuilder, file, p, (uint)returnThenParameters.Length, FlagPrototyped);
    }

    public LMetadata DiBasicType(string name, ulong bits, uint encoding)
    {
        byte[] n = Utf8(name);
        fixed (byte* pn = n) return LibLlvm.DIBuilderCreateBasicType(_diBuilder, pn, (nuint)n.Length, bits, encoding, 0);
    }

    public LMetadata DiPointer(LMetadata pointee)
    {
        byte empty = 0;
        return LibLlvm.DIBuilderCreatePointerType(_diBuilder, pointee, 64, 0, 0, &empty, 0);
    }

    public LMetadata DiArray(LMetadata element, ulong elementBits, long count, uint alignBits)
    {
        LMetadata range = LibLlvm.DIBuilderGetOrCreateSubrange(_diBuilder, 0, count);
        return LibLlvm.DIBuilderCreateArrayType(_diBuilder, elementBits * (ulong)count, alignBits, element, &range, 1);
    }

    public LMetadata DiMember(LMetadata scope, string name, LMetadata file, uint line, ulong bits, uint alignBits, ulong offsetBits, LMetadata type)
    {
        byte[] n = Utf8(name);
        fixed (byte* pn = n)
            return LibLlvm.DIBuilderCreateMemberType(_diBuilder, scope, pn, (nuint)n.Length, file, line, bits, alignBits, offsetBits, 0, type);
    }

    public LMetadata DiStruct(LMetadata scope, string? name, LMetadata file, uint line, ulong bits, uint alignBits, ReadOnlySpan<LMetadata> members)
    {
        byte[] n = Utf8(name);
        byte empty = 0;
        fixed (byte* pn = n) fixed (LMetadata* pm = members)
            return LibLlvm.DIBuilderCreateStructType(_diBuilder, scope, n.Length == 0 ? &empty : pn, (nuint)n.Length, file, line, bits, alignBits, 0,
                default, pm, (uint)members.Length, 0, default, &empty, 0);
    }

    /// <summary>A union (BTF_KIND_UNION); every member must be at offset 0.</summary>
    public LMetadata DiUnion(LMetadata scope, string? name, LMetadata file, uint line, ulong bits, uint alignBits, ReadOnlySpan<LMetadata> members)
    {
        byte[] n = Utf8(name);
        byte empty = 0;
        fixed (byte* pn = n) fixed (LMetadata* pm = members)
            return LibLlvm.DIBuilderCreateUnionType(_diBuilder, scope, n.Length == 0 ? &empty : pn, (nuint)n.Length, file, line, bits, alignBits, 0,
                pm, (uint)members.Length, 0, &empty, 0);
    }

    public LMetadata DiTypedef(LMetadata type, string name, LMetadata file, uint line, LMetadata scope)
    {
        byte[] n = Utf8(name);
        fixed (byte* pn = n) return LibLlvm.DIBuilderCreateTypedef(_diBuilder, type, pn, (nuint)n.Length, file, line, scope, 0);
    }

    public LMetadata DiEnum(LMetadata scope, string name, LMetadata file, uint line, ulong bits, (string Name, long Value)[] values, bool isUnsigned, LMetadata underlying)
    {
        var elements = new LMetadata[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            byte[] vn = Utf8(values[i].Name);
            fixed (byte* pv = vn) elements[i] = LibLlvm.DIBuilderCreateEnumerator(_diBuilder, pv, (nuint)vn.Length, values[i].Value, isUnsigned ? 1 : 0);
        }
        byte[] n = Utf8(name);
        fixed (byte* pn = n) fixed (LMetadata* pe = elements)
            return LibLlvm.DIBuilderCreateEnumerationType(_diBuilder, scope, pn, (nuint)n.Length, file, line, bits, (uint)bits, pe, (uint)elements.Length, underlying);
    }

    public LMetadata DiGlobalVariable(LMetadata scope, string name, LMetadata file, uint line, LMetadata type, bool localToUnit)
    {
        byte[] n = Utf8(name);
        LMetadata expression = LibLlvm.DIBuilderCreateExpression(_diBuilder, null, 0);
        fixed (byte* pn = n)
            return LibLlvm.DIBuilderCreateGlobalVariableExpression(_diBuilder, scope, pn, (nuint)n.Length, pn, (nuint)n.Length, file, line, type,
                localToUnit ? 1 : 0, expression, default, 0);
    }

    /// <summary>A parameter variable, always preserved: BTF takes FUNC_PROTO argument names from these, and
    /// the kernel rejects a FUNC whose arguments are unnamed.</summary>
    public LMetadata DiParameter(LMetadata scope, string name, uint argNo, LMetadata file, uint line, LMetadata type)
    {
        byte[] n = Utf8(name);
        fixed (byte* pn = n)
            return LibLlvm.DIBuilderCreateParameterVariable(_diBuilder, scope, pn, (nuint)n.Length, argNo, file, line, type, 1, 0);
    }

    public LMetadata DiLocation(uint line, uint column, LMetadata scope) =>
        LibLlvm.DIBuilderCreateDebugLocation(_context, line, column, scope, default);

    public static void SetSubprogram(LValue function, LMetadata subprogram) => LibLlvm.SetSubprogram(function, subprogram);

    public void FinalizeDebugInfo() => LibLlvm.DIBuilderFinalize(_diBuilder);
}
