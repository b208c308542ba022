using System.Runtime.InteropServices;
using CsBpf.Runtime.Logging;
using Microsoft.Extensions.Logging;

namespace CsBpf.Runtime;

/// <summary>
/// Turns the records that <c>BpfLog.Info(...)</c> (and the other levels) write in BPF code back into log
/// messages: reads the object's <c>csbpf_log</c> ring buffer in the background, formats each record with its
/// call site's template from the object's format table and logs it through an <see cref="ILogger"/>, with the
/// holes as structured properties and <c>{OriginalFormat}</c> as the template. Start it with
/// <see cref="BpfObject.StartLogging(ILogger)"/>; disposing it stops the reader after logging what is left in
/// the ring.
/// </summary>
/// <remarks>
/// <para>Levels the logger does not enable (<see cref="ILogger.IsEnabled"/>) are skipped before formatting; the
/// kernel side still writes them (a record costs a reserve, a few stores and a submit).</para>
/// <para>Records the programs could not write because the ring was full are counted in the kernel; the reader
/// logs a warning with the number lost since the last report and exposes the total as <see cref="RecordsLost"/>.</para>
/// <para>Each record's event id is its call site's format id, named <c>File.cs:line</c>.</para>
/// </remarks>
public sealed class BpfLogReader : IDisposable, IAsyncDisposable
{
    private readonly BpfObject _owner;
    private readonly BpfRingBuffer _ring;
    private readonly BpfArrayMap<ulong> _lost;
    private readonly BpfLogFormatTable _table;
    private readonly ILogger _logger;
    private readonly object _drainGate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _logged;
    private long _malformed;
    private ulong _reportedLost;
    private int _disposed;

    internal BpfLogReader(BpfObject owner, BpfRingBuffer ring, BpfArrayMap<ulong> lost, BpfLogFormatTable table, ILogger logger)
    {
        _owner = owner;
        _ring = ring;
        _lost = lost;
        _table = table;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The logger the records go to.</summary>
    public ILogger Logger => _logger;

    /// <summary>Records read from the ring so far (those filtered out by level included).</summary>
    public long RecordsRead => Interlocked.Read(ref _logged);

    /// <summary>Records the BPF programs dropped because the ring was full, as of the last drain.</summary>
    public long RecordsLost => (long)Volatile.Read(ref _reportedLost);

    /// <summary>Records that did not match their call site's format (a different compiler's object?); skipped with a warning.</summary>
    public long RecordsMalformed => Interlocked.Read(ref _malformed);

    /// <summary>
    /// Logs every record in the ring now, on the calling thread, and returns how many there were (the background
    /// reader may have taken some first). Use it to make sure what the programs logged so far has been logged,
    /// e.g. before checking a test's logger.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The reader or its object was disposed.</exception>
    public int Flush()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return Drain();
    }

    /// <summary>Stops the background reader, then logs what is left in the ring. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        FinalDrain();
    }

    /// <summary>Stops the background reader (blocking until it has), then logs what is left in the ring. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _loop.GetAwaiter().GetResult();
        FinalDrain();
    }

    /// <inheritdoc />
    public override string ToString() => $"BpfLogReader of '{_owner.Name}' ({RecordsRead} records, {RecordsLost} lost)";

    private void FinalDrain()
    {
        try
        {
            if (!_ring.IsDisposed) Drain();
        }
        catch (ObjectDisposedException)
        {
            // The object went away concurrently: nothing left to read.
        }
        finally
        {
            _stop.Dispose();
            _owner.Forget(this);
        }
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _ring.WaitAsync(token).ConfigureAwait(false);
                if (Drain() == 0 && _ring.UnreadBytes != 0)
                {
                    // The head record is still being written (busy bit): it is committed within microseconds.
                    await Task.Delay(1, token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return; // the object (and its ring) was disposed
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A logger threw (the record was consumed), or someone else is reading the ring: keep going, after a
                // pause so a failure that repeats does not spin.
                if (token.IsCancellationRequested) return;
                try
                {
                    await Task.Delay(10, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Drains the ring (one drainer at a time: the ring has a single consumer position).</summary>
    private int Drain()
    {
        int count;
        lock (_drainGate)
        {
            var handler = new Handler(this);
            count = _ring.Consume(ref handler);
            ReportLost();
        }
        return count;
    }

    private void ReportLost()
    {
        var lost = _lost[0];
        var reported = _reportedLost;
        if (lost <= reported) return;
        Volatile.Write(ref _reportedLost, lost);
        if (_logger.IsEnabled(LogLevel.Warning))
            _logger.Log(LogLevel.Warning, new EventId(-1, "BpfLogLost"), new LostState(lost - reported, lost, _table.RingName, _ring.Capacity), null,
                static (s, _) => s.ToString());
    }

    private void Handle(ReadOnlySpan<byte> record)
    {
        Interlocked.Increment(ref _logged);
        if (record.Length < 8) { Malformed(record, "shorter than its header"); return; }
        var id = MemoryMarshal.Read<uint>(record);
        var formats = _table.Formats;
        if (id >= (uint)formats.Length) { Malformed(record, $"format id {id} is not in the object's table ({formats.Length} formats)"); return; }
        var format = formats[id];
        if (record.Length < format.Size) { Malformed(record, $"{record.Length} bytes, format {id} ({format.Source}) writes {format.Size}"); return; }
        if (!_logger.IsEnabled(format.Level)) return;

        var holes = format.Holes;
        var values = new object[holes.Length];
        var message = new System.Text.StringBuilder(format.Literals[0]);
        for (var i = 0; i < holes.Length; i++)
        {
            values[i] = holes[i].Read(record);
            message.Append(holes[i].Print(record, values[i])).Append(format.Literals[i + 1]);
        }
        var state = new BpfLogState(format, values, message.ToString());
        _logger.Log(format.Level, format.EventId, state, null, static (s, _) => s.Message);
    }

    private void Malformed(ReadOnlySpan<byte> record, string why)
    {
        Interlocked.Increment(ref _malformed);
        if (_logger.IsEnabled(LogLevel.Warning))
            _logger.Log(LogLevel.Warning, new EventId(-2, "BpfLogMalformed"),
                $"Skipped a {record.Length}-byte BPF log record of '{_owner.Name}' that does not match its format table: {why}.", null, static (s, _) => s);
    }

    private readonly struct Handler(BpfLogReader reader) : IRingBufferHandler
    {
        public void OnRecord(ReadOnlySpan<byte> record) => reader.Handle(record);
    }

    /// <summary>The lost-records warning, with its numbers as properties.</summary>
    private sealed class LostState(ulong lost, ulong total, string ring, int capacity) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private const string Template = "{Lost} BPF log records were dropped ({Total} in all): the ring buffer {Ring} ({Capacity} bytes) was full. Log less, or raise [BpfLogOptions(BufferSize = ...)].";

        public int Count => 5;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("Lost", lost),
            1 => new("Total", total),
            2 => new("Ring", ring),
            3 => new("Capacity", capacity),
            4 => new(BpfLogState.OriginalFormatName, Template),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var i = 0; i < Count; i++) yield return this[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() =>
            $"{lost} BPF log records were dropped ({total} in all): the ring buffer {ring} ({capacity} bytes) was full. Log less, or raise [BpfLogOptions(BufferSize = ...)].";
    }
}
