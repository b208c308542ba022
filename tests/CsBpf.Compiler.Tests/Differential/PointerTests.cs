using CsBpf.TestSupport;
using Xunit.Abstractions;
using static CsBpf.Compiler.Tests.Differential.ScalarType;

namespace CsBpf.Compiler.Tests.Differential;

/// <summary>
/// Pointers into stack memory (locals, stackalloc, structs, fixed buffers) and Unsafe: the kernel must compute
/// what the CLR computes. Raw addresses differ between the two, so the cases only return what C# defines
/// independently of where memory is: values read through pointers, differences, comparisons.
/// </summary>
public class PointerTests(ITestOutputHelper output)
{
    private static DiffCase Case(string name, string methods, ScalarType result, params ScalarType[] parameters) =>
        new(name, methods, "M", parameters, result, DiffCase.EdgeInputs(parameters));

    private void AssertAgree(IReadOnlyList<DiffCase> cases, string cpu = "v3") => DifferentialRunner.AssertAgree(output, cases, cpu);

    [Fact]
    public void Dereference_address_of_and_pointers_to_pointers()
    {
        DiffCase[] cases =
        [
            Case("deref-locals", """
                public static unsafe long M(int a, long b)
                {
                    int x = a; long y = b;
                    int* px = &x; long* py = &y;
                    *px += 3;
                    *py ^= *px;
                    int** ppx = &px;
                    **ppx = **ppx * 2;
                    (*py)++;
                    return x + y + *py;
                }
                """, Long, Int, Long),
            Case("deref-struct-fields", """
                public struct Pair { public byte Tag; public int Value; public short Small; }
                public static unsafe int M(int a, byte b)
                {
                    Pair p = default;
                    Pair* pp = &p;
                    pp->Tag = b;
                    (*pp).Value = a;
                    int* pv = &pp->Value;
                    *pv += pp->Tag;
                    short* ps = &p.Small;
                    *ps = (short)(*pv >> 3);
                    Pair copy = *pp;
                    copy.Value = 0;
                    Bump(pp, 5);
                    return p.Value + p.Small * 3 + copy.Tag + copy.Value;
                }
                static unsafe void Bump(Pair* p, int by) { p->Value += by; p->Tag ^= 0xFF; }
                """, Int, Int, ScalarType.Byte),
        ];
        AssertAgree(cases);
    }

    [Fact]
    public void Pointer_arithmetic_scales_by_the_element_size_and_wraps()
    {
        DiffCase[] cases =
        [
            Case("arith-stackalloc", """
                public static unsafe long M(int a, int b)
                {
                    int* p = stackalloc int[8];
                    for (int i = 0; i < 8; i++) p[i] = a * i + b;
                    int* q = p + 7;
                    int* r = p;
                    long sum = 0;
                    for (int i = 0; i < 8; i++) { sum += *r; r++; }
                    r -= 4;
                    sum += *r + r[-1] + (q - r) * 1000 + (r - q);
                    int* s = 2 + p;
                    sum += *s + (*(s - 1) << 1) + *--s + *s++ + *s;
                    uint k = (uint)(a & 3);
                    sum += p[k] + *(p + k) + p[(long)k + 1] + p[(ulong)k + 2];
                    return sum;
                }
                """, Long, Int, Int),
            Case("compare", """
                public static unsafe int M(int a)
                {
                    long* p = stackalloc long[4];
                    long* q = p + (a & 3);
                    int r = 0;
                    if (p < q) r |= 1;
                    if (p <= q) r |= 2;
                    if (q > p) r |= 4;
                    if (q >= p + 2) r |= 8;
                    if (q == p + 1) r |= 16;
                    if (q != null) r |= 32;
                    if ((void*)q != (void*)p) r |= 64;
                    return r;
                }
                """, Int, Int),
            Case("difference-non-power-of-two", """
                public struct Twelve { public int A, B, C; }
                public static unsafe long M(int a, int b)
                {
                    Twelve* t = stackalloc Twelve[6];
                    Twelve* x = t + (a & 3), y = t + (b & 3);
                    x->B = a; y->C = b;
                    byte* bx = (byte*)x + 5, by = (byte*)y;
                    // p - q divides the byte distance by sizeof(T), truncating toward zero.
                    return (x - y) * 100 + (bx - by) + ((Twelve*)bx - y) * 7 + ((Twelve*)by - (Twelve*)bx) * 13 + t[a & 3].B + t[b & 3].C;
                }
                """, Long, Int, Int),
            Case("wrap-around", """
                public static unsafe long M(long a)
                {
                    long* p = stackalloc long[2];
                    p[1] = 42;
                    long* far = p + a;
                    long* back = far - a + 1;   // wraps around the address space and back
                    ulong distance = (ulong)far - (ulong)p;
                    return *back + (long)(distance >> 3) + (far - p);
                }
                """, Long, Long),
        ];
        AssertAgree(cases, "v3");
        AssertAgree(cases, "v4");
    }

    [Fact]
    public void Casts_between_pointer_types_and_integers()
    {
        DiffCase[] cases =
        [
            Case("reinterpret", """
                public static unsafe ulong M(ulong v, int a)
                {
                    ulong x = v;
                    byte* b = (byte*)&x;
                    b[a & 7] ^= 0xFF;
                    ushort* s = (ushort*)&x;
                    s[1] += 1;
                    void* any = s;
                    uint* u = (uint*)any;
                    nint n = (nint)u;
                    nuint un = (nuint)(u + 1);
                    uint* back = (uint*)n;
                    long diff = (long)un - (long)n;
                    return x + *back + (ulong)diff + ((ulong)(u + 1) - (ulong)u);
                }
                """, ULong, ULong, Int),
            Case("int-to-pointer-roundtrip", """
                public static unsafe int M(int a)
                {
                    int v = a;
                    long address = (long)&v;
                    int* p = (int*)address;
                    *p += 1;
                    ulong ua = (ulong)p;
                    return *(int*)ua + v;
                }
                """, Int, Int),
        ];
        AssertAgree(cases);
    }

    [Fact]
    public void Unsafe_members_are_address_arithmetic_and_reinterpretation()
    {
        DiffCase[] cases =
        [
            Case("unsafe", """
                public struct Three { public int A, B, C; }
                public static unsafe long M(int a, long b)
                {
                    Three t = default;
                    t.A = a;
                    ref int second = ref Unsafe.Add(ref t.A, 1);
                    second = a * 3;
                    Unsafe.Add(ref t.A, 2) = (int)b;
                    ref int back = ref Unsafe.Subtract(ref t.C, 2);
                    long x = b;
                    ref int low = ref Unsafe.As<long, int>(ref x);
                    low ^= 0x55;
                    int* p = &t.B;
                    ref int viaPointer = ref Unsafe.AsRef<int>(p);
                    viaPointer += 7;
                    Unsafe.Write(p + 1, Unsafe.Read<int>(p) + 1);
                    long sum = back + t.B + t.C + x + Unsafe.SizeOf<Three>() + Unsafe.SizeOf<long>();
                    sum += (long)Unsafe.ByteOffset(ref t.A, ref t.C);
                    sum += Unsafe.AreSame(ref back, ref t.A) ? 100 : 0;
                    sum += Unsafe.IsAddressLessThan(ref t.A, ref t.B) ? 1000 : 0;
                    sum += Unsafe.IsAddressGreaterThan(ref t.A, ref t.B) ? 10000 : 0;
                    sum += (long)Unsafe.AsPointer(ref t.C) - (long)p;
                    ref int viaBytes = ref Unsafe.AddByteOffset(ref t.A, (nint)8);
                    sum += viaBytes;
                    return sum + Unsafe.BitCast<int, uint>(-a);
                }
                """, Long, Int, Long),
            Case("unaligned-and-blocks", """
                public static unsafe long M(long v)
                {
                    byte* buffer = stackalloc byte[16];
                    Unsafe.InitBlock(buffer, 0x11, 16);
                    Unsafe.WriteUnaligned(buffer + 3, v);
                    long r = Unsafe.ReadUnaligned<long>(buffer + 1);
                    byte* copy = stackalloc byte[16];
                    Unsafe.CopyBlock(copy, buffer, 16);
                    return r ^ Unsafe.ReadUnaligned<int>(copy + 9) ^ copy[15];
                }
                """, Long, Long),
        ];
        AssertAgree(cases);
    }
}
