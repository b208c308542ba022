using CsBpf.Runtime.Native;

namespace CsBpf.Runtime;

// BPF_PROG_TEST_RUN with both a packet and a context: the packet programs' context carries fields the program
// reads or writes next to the packet (e.g. __sk_buff.mark, xdp_md.ingress_ifindex).
public sealed partial class BpfProgramHandle
{
    /// <summary>
    /// Runs a packet program once in the kernel (<c>BPF_PROG_TEST_RUN</c>) on <paramref name="data"/> with
    /// <paramref name="context"/> as its context in and out: <c>struct __sk_buff</c> for tc, socket filter and
    /// cgroup_skb programs (the kernel accepts only some fields non-zero on input: mark, priority, ifindex, cb,
    /// tstamp, wire_len, gso_segs, gso_size), <c>struct xdp_md</c> for XDP. Afterwards <paramref name="dataOut"/>
    /// holds the packet as the program left it and <paramref name="context"/> the fields it wrote.
    /// </summary>
    /// <param name="data">The input packet.</param>
    /// <param name="dataOut">Receives the output packet.</param>
    /// <param name="context">The context image, as large as the kernel struct or a prefix of it.</param>
    /// <returns>The return value, the duration and the output length.</returns>
    /// <exception cref="BpfNotSupportedException">The kernel cannot test-run this program type.</exception>
    /// <exception cref="BpfException">The kernel rejected the input (EINVAL), e.g. a context field it does not accept.</exception>
    public unsafe BpfTestRunResult TestRunWithContext(ReadOnlySpan<byte> data, Span<byte> dataOut, Span<byte> context)
    {
        fixed (byte* dataIn = data)
        fixed (byte* output = dataOut)
        fixed (byte* ctx = context)
        {
            var opts = new BpfTestRunOpts
            {
                Size = (nuint)sizeof(BpfTestRunOpts),
                DataIn = data.IsEmpty ? null : dataIn,
                DataSizeIn = (uint)data.Length,
                DataOut = dataOut.IsEmpty ? null : output,
                DataSizeOut = (uint)dataOut.Length,
                ContextIn = context.IsEmpty ? null : ctx,
                ContextSizeIn = (uint)context.Length,
                ContextOut = context.IsEmpty ? null : ctx,
                ContextSizeOut = (uint)context.Length,
                Repeat = 1,
            };
            Run(ref opts);
            return new BpfTestRunResult((int)opts.ReturnValue, opts.Duration, (int)opts.DataSizeOut);
        }
    }
}
