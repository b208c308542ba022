namespace CsBpf.Runtime;

/// <summary>
/// <see cref="BpfRingBuffer.ReadAllAsync{T}"/>: an async enumerator whose <see cref="MoveNextAsync"/> returns a
/// completed <see cref="ValueTask{TResult}"/> while records are available (no state machine, no allocation)
/// and only awaits — on the runtime's epoll thread — when the ring is empty. A compiler-generated async
/// iterator would pay its state machine on every record, several times the cost of reading one.
/// </summary>
/// <typeparam name="T">The record layout.</typeparam>
internal sealed class RingBufferAsyncReader<T> : IAsyncEnumerable<T>, IAsyncEnumerator<T>
    where T : unmanaged
{
    private readonly BpfRingBuffer _ring;
    private CancellationToken _token;
    private CancellationTokenSource? _linked;
    private T _current;
    private int _busyWaits;
    private bool _enumerating;
    private bool _entered;
    private bool _disposed;
    private bool _reading; // entered and not disposed: the fast path's single check

    public RingBufferAsyncReader(BpfRingBuffer ring, CancellationToken token)
    {
        _ring = ring;
        _token = token;
    }

    public T Current => _current;

    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        // Like a compiler-generated iterator: the first enumeration uses this instance, later ones a fresh one.
        var enumerator = _enumerating ? new RingBufferAsyncReader<T>(_ring, _token) : this;
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
        // Fast path, free of exception handling so the JIT can inline it into the caller's `await foreach` (after
        // guarded devirtualization): a committed record of the right size while enumerating normally.
        // (_busyWaits needs no reset here: the slow path resets it whenever it returns a record.)
        if (_reading && !_token.IsCancellationRequested && _ring.TryReadCommitted(out _current))
            return new ValueTask<bool>(true);
        return MoveNextSlow();
    }

    private ValueTask<bool> MoveNextSlow()
    {
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_entered)
            {
                _ring.EnterReader(); // the single-reader slot, held until DisposeAsync
                _entered = true;
                _reading = true;
            }
            _token.ThrowIfCancellationRequested();
            if (_ring.TryRead(out _current) == BpfRingBuffer.RecordState.Read)
            {
                _busyWaits = 0;
                return new ValueTask<bool>(true);
            }
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
            _reading = false;
            if (_entered) _ring.ExitReader();
            _linked?.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private async ValueTask<bool> WaitAndReadAsync()
    {
        while (true)
        {
            var state = _ring.TryRead(out _current);
            if (state == BpfRingBuffer.RecordState.Read)
            {
                _busyWaits = 0;
                return true;
            }
            if (state == BpfRingBuffer.RecordState.Busy)
            {
                // The next record is reserved but not committed yet. epoll would report the ring readable at
                // once (its poll only compares positions), so back off instead of spinning: the producer
                // commits within microseconds unless it was preempted (sleepable programs can be).
                if (++_busyWaits < 16) await Task.Yield();
                else await Task.Delay(1, _token).ConfigureAwait(false);
            }
            else
            {
                await _ring.Registration().WaitAsync(_token).ConfigureAwait(false);
            }
            _token.ThrowIfCancellationRequested();
        }
    }
}
