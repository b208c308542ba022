using CsBpf.Runtime.Logging;
using Microsoft.Extensions.Logging;

namespace CsBpf.Runtime;

// BpfLog: the object's format table (read from its .csbpf.log section when it is opened) and the reader that
// turns the programs' log records into ILogger calls.
public sealed partial class BpfObject
{
    private BpfLogFormatTable? _logFormats;
    private BpfLogReader? _logReader;

    /// <summary>True when the object's programs log with <c>BpfLog</c> (the compiler wrote a format table).</summary>
    public bool HasLogging => _logFormats is not null;

    /// <summary>
    /// The lowest level the programs' <c>BpfLog</c> calls write (default <see cref="LogLevel.Trace"/>: all). Set it
    /// before <see cref="Load"/>: it is a <c>.rodata</c> variable, so the verifier sees its value and removes the
    /// calls below it from the loaded programs — a disabled level costs nothing in the kernel, unlike filtering
    /// by the logger, which happens after the record was written and read.
    /// </summary>
    /// <exception cref="InvalidOperationException">The object does not log, or setting it after load.</exception>
    public LogLevel MinimumLogLevel
    {
        get => (LogLevel)LogLevelGlobal().Value;
        set
        {
            if (value is < LogLevel.Trace or > LogLevel.None) throw new ArgumentOutOfRangeException(nameof(value), value, "Not a LogLevel.");
            if (IsLoaded)
                throw new InvalidOperationException($"Set MinimumLogLevel of BPF object '{Name}' before Load(): it is a .rodata variable the verifier treats as a constant, frozen at load.");
            LogLevelGlobal().Value = (uint)value;
        }
    }

    private BpfGlobal<uint> LogLevelGlobal() =>
        _logFormats is null
            ? throw new InvalidOperationException($"BPF object '{Name}' does not log: it has no BpfLog format table ({BpfLogFormatTable.SectionName} section).")
            : GetGlobal<uint>(LogLevelVariable);

    /// <summary>The compiler's <c>.rodata</c> variable holding the minimum level (ModuleLowering.LogLevelName).</summary>
    private const string LogLevelVariable = "csbpf_log_level";

    /// <summary>
    /// Starts logging what the object's programs write with <c>BpfLog.Info(...)</c> and the other levels to
    /// <paramref name="logger"/>: a background reader drains the log ring buffer and logs each record with its
    /// call site's level, template and values. Dispose the returned reader to stop (what is left in the ring is
    /// logged first); disposing the object stops it too.
    /// </summary>
    /// <param name="logger">Where the messages go; its <see cref="ILogger.IsEnabled"/> filters levels.</param>
    /// <exception cref="InvalidOperationException">The object is not loaded, has no <c>BpfLog</c> calls, or is already logging.</exception>
    public BpfLogReader StartLogging(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ThrowIfNotLoaded("start logging");
        var table = _logFormats ?? throw new InvalidOperationException(
            $"BPF object '{Name}' does not log: it has no BpfLog format table ({BpfLogFormatTable.SectionName} section). " +
            "Only objects compiled by CsBpf from code that calls BpfLog.Info/Debug/Warning/Error have one.");
        lock (_gate)
        {
            if (_logReader is not null)
                throw new InvalidOperationException($"BPF object '{Name}' is already logging (to {_logReader.Logger}); dispose that BpfLogReader first.");
        }
        var ring = GetRingBuffer(table.RingName);
        var lost = GetArrayMap<ulong>(table.LostName);
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_logReader is not null)
                throw new InvalidOperationException($"BPF object '{Name}' is already logging (to {_logReader.Logger}); dispose that BpfLogReader first.");
            return _logReader = new BpfLogReader(this, ring, lost, table, logger);
        }
    }

    /// <summary>
    /// Like <see cref="StartLogging(ILogger)"/>, with a logger from <paramref name="loggerFactory"/> whose category
    /// is the <c>[BpfProgram]</c> class's full name (e.g. <c>Contoso.Probes.OpenTrace</c>).
    /// </summary>
    /// <param name="loggerFactory">Creates the logger.</param>
    /// <exception cref="InvalidOperationException">The object is not loaded, has no <c>BpfLog</c> calls, or is already logging.</exception>
    public BpfLogReader StartLogging(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ThrowIfNotLoaded("start logging");
        var table = _logFormats ?? throw new InvalidOperationException(
            $"BPF object '{Name}' does not log: it has no BpfLog format table ({BpfLogFormatTable.SectionName} section).");
        return StartLogging(loggerFactory.CreateLogger(table.ClassName));
    }

    /// <summary>Called by <see cref="BpfLogReader"/> when it is disposed.</summary>
    internal void Forget(BpfLogReader reader)
    {
        lock (_gate)
            if (_logReader == reader) _logReader = null;
    }

    /// <summary>Stops the log reader (logging what is left) before the rings go away; part of <see cref="Dispose"/>.</summary>
    private void StopLogging()
    {
        BpfLogReader? reader;
        lock (_gate) reader = _logReader;
        reader?.Dispose();
    }
}
