using System.Runtime.CompilerServices;

namespace CsBpf.Runtime;

// ReadAllAsync: the perf event array as an asynchronous stream of typed samples, with the kernel's
// lost-sample reports attached to the sample that follows each loss.
public sealed unsafe partial class BpfPerfEventArray
{
    private long[]? _lostBefore;
    private int _cursor;

    /// <summary>
    /// Reads the array as an endless asynchronous stream of samples, each carrying a copy of its first
    /// <c>sizeof(T)</c> bytes, its CPU and the samples lost on that CPU just before it
    /// (<see cref="PerfEventSample{T}.LostBefore"/>; the total is in <see cref="LostSamples"/>). Waits with epoll when
    /// every buffer is empty; ends with <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> is cancelled, or <see cref="ObjectDisposedException"/> when the reader is
    /// disposed. The enumeration is the array's only reader while it runs. CPUs are read in turn, each until it
    /// is empty: samples of one CPU keep their order, there is no order across CPUs (use a ring buffer for
    /// that).
    /// </summary>
    /// <typeparam name="T">The sample layout.</typeparam>
    /// <param name="cancellationToken">Ends the stream.</param>
    /// <remarks>While samples are available <c>MoveNextAsync</c> completes synchronously without allocating.</remarks>
    /// <exception cref="BpfException">A sample is shorter than <typeparamref name="T"/> (it is left unread; read it with <see cref="Consume"/>).</exception>
    /// <exception cref="InvalidOperationException">Another reader is consuming this array.</exception>
    public IAsyncEnumerable<PerfEventSample<T>> ReadAllAsync<T>(CancellationToken cancellationToken = default)
        where T : unmanaged => new PerfEventAsyncReader<T>(this, cancellationToken);

    /// <summary>Takes the single reader slot and keeps the buffers mapped until <see cref="ExitReader"/>.</summary>
    internal void EnterReader()
    {
        if (Interlocked.CompareExchange(ref _reader, 1, 0) != 0)
            throw new InvalidOperationException($"Perf event array '{Name}' is already being read: read it from one place at a time.");
        var added = false;
        try
        {
            _buffers.DangerousAddRef(ref added);
        }
        finally
        {
            if (!added) Volatile.Write(ref _reader, 0);
        }
    }

    internal void ExitReader()
    {
        _buffers.DangerousRelease();
        Volatile.Write(ref _reader, 0);
    }

    /// <summary>
    /// Copies the next sample into <paramref name="sample"/> and releases it (caller holds the reader slot):
    /// the current CPU's buffer first, then the others in turn. Lost-sample records on the way are counted.
    /// </summary>
    /// <returns>False when every buffer is empty.</returns>
    internal bool TryRead<T>(out PerfEventSample<T> sample)
        where T : unmanaged
    {
        var buffers = _buffers.Items;
        _lostBefore ??= new long[buffers.Count];
        for (var scanned = 0; scanned < buffers.Count; scanned++)
        {
            var index = (_cursor + scanned) % buffers.Count;
            var buffer = buffers[index];
            var head = Volatile.Read(ref *buffer.Head);
            var tail = *buffer.Tail; // only the reader writes it
            var mask = buffer.DataSize - 1;
            while (tail < head)
            {
                var offset = tail & mask;
                var record = buffer.Data + offset;
                var type = *(uint*)record;
                var size = *(ushort*)(record + 6);
                if (offset + size > buffer.DataSize) record = Reassemble(buffer, offset, size);
                var next = tail + size;
                if (type == RecordSample)
                {
                    var length = *(uint*)(record + 8);
                    if (length < (uint)sizeof(T))
                        throw new BpfException(
                            $"Perf event array '{Name}' holds a {length}-byte sample from CPU {buffer.Cpu}, shorter than {typeof(T).Name} ({sizeof(T)} bytes) (the sample was left unread): " +
                            "the C# type must match what the BPF program writes; read mixed-size samples with Consume.");
                    var value = Unsafe.ReadUnaligned<T>(record + 12);
                    Volatile.Write(ref *buffer.Tail, next);
                    sample = new PerfEventSample<T>(buffer.Cpu, value, _lostBefore[index]);
                    _lostBefore[index] = 0;
                    _cursor = index; // stay on this CPU until it is empty
                    return true;
                }
                if (type == RecordLost)
                {
                    var lost = (long)*(ulong*)(record + 16); // struct { header; u64 id; u64 lost; }
                    Interlocked.Add(ref _lost, lost);
                    _lostBefore[index] += lost;
                }
                tail = next;
                Volatile.Write(ref *buffer.Tail, tail);
            }
        }
        sample = default;
        return false;
    }
}

/// <summary>
/// <see cref="BpfPerfEventArray.ReadAllAsync{T}"/>: like the ring buffer's reader, <c>MoveNextAsync</c> completes
/// synchronously while samples are available and awaits (on the runtime's epoll thread) only when every CPU's
/// buffer is empty.
/// </summary>
internal sealed class PerfEventAsyncReader<T> : IAsyncEnumerable<PerfEventSample<T>>, IAsyncEnumerator<PerfEventSample<T>>
    where T : unmanaged
{
    private readonly BpfPerfEventArray _array;
    private CancellationToken _token;
    private CancellationTokenSource? _linked;
    private PerfEventSample<T> _current;
    private bool _enumerating;
    private bool _entered;
    private bool _disposed;

    public PerfEventAsyncReader(BpfPerfEventArray array, CancellationToken token)
    {
        _array = array;
        _token = token;
    }

    public PerfEventSample<T> Current => _current;

    public IAsyncEnumerator<PerfEventSample<T>> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        var enumerator = _enumerating ? new PerfEventAsyncReader<T>(_array, _token) : this;
        enumerator._enumerating = true;
        if (cancellationToken.CanBeCanceled && cancellationToken != enumerator._token)
        {
            if (enumerator._token.CanBeCanceled)
            {
                enumerator._linked = CancellationTokenSource.CreateLinkedTokenSource(enumerator._token, cancellationToken);
                enumerator._token = enumerator._linked.Token;
            }
            else
            {
                enumerator._token = cancellationToken;
            }
        }
        return enumerator;
    }

    public ValueTask<bool> MoveNextAsync()
    {
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_entered)
            {
                _array.EnterReader(); // the single-reader slot, held until DisposeAsync
                _entered = true;
            }
            _token.ThrowIfCancellationRequested();
            if (_array.TryRead(out _current)) return new ValueTask<bool>(true);
        }
        catch (Exception e)
        {
            return ValueTask.FromException<bool>(e);
        }
        return WaitAndReadAsync();
    }

    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            if (_entered) _array.ExitReader();
            _linked?.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private async ValueTask<bool> WaitAndReadAsync()
    {
        while (true)
        {
            await _array.WaitAsync(_token).ConfigureAwait(false);
            _token.ThrowIfCancellationRequested();
            if (_array.TryRead(out _current)) return true;
        }
    }
}
