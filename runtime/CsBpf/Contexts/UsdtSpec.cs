using System.ComponentModel;

namespace CsBpf;

/// <summary>
/// <c>struct __bpf_usdt_spec</c> of libbpf's <c>usdt.bpf.h</c>: how to find each argument of one USDT probe site.
/// libbpf writes it into the <c>__bpf_usdt_specs</c> map when it attaches a <c>[Usdt]</c> program; the code the
/// compiler generates for <c>[Usdt]</c> programs reads it. Not meant for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct UsdtSpec
{
    /// <summary>Argument specs (<c>BPF_USDT_MAX_ARG_CNT</c> = 12).</summary>
    public UsdtArgSpec Arg0, Arg1, Arg2, Arg3, Arg4, Arg5, Arg6, Arg7, Arg8, Arg9, Arg10, Arg11;

    /// <summary><c>usdt_cookie</c>: the cookie given at attach time.</summary>
    public ulong Cookie;

    /// <summary><c>arg_cnt</c>: how many arguments the probe has.</summary>
    public short ArgCount;
}

/// <summary><c>struct __bpf_usdt_arg_spec</c>: where one USDT argument is and how to widen it.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct UsdtArgSpec
{
    /// <summary><c>val_off</c>: the constant (<see cref="Type"/> 0) or the offset added to the register (2).</summary>
    public ulong ValueOffset;

    /// <summary><c>arg_type</c>: 0 a constant, 1 a register, 2 memory at a register plus <see cref="ValueOffset"/>.</summary>
    public int Type;

    /// <summary><c>reg_off</c>: the register's offset in <c>struct pt_regs</c>.</summary>
    public short RegisterOffset;

    /// <summary><c>arg_signed</c>: sign-extend (1) or zero-extend (0).</summary>
    public byte Signed;

    /// <summary><c>arg_bitshift</c>: 64 minus the argument's width in bits.</summary>
    public byte BitShift;
}
