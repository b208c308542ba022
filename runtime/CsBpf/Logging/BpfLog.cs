using Microsoft.Extensions.Logging;

namespace CsBpf;

/// <summary>
/// Structured logging from BPF code: <c>BpfLog.Info($"opened {path} by {pid}")</c>. The compiler splits the
/// interpolated string at compile time — the message template and the holes' names and types go into the
/// object's <c>.csbpf.log</c> section, each call site gets a format id — and the program writes only
/// {format id, level, values} into a ring buffer map the compiler adds (<c>csbpf_log</c>, with
/// <c>bpf_ringbuf_reserve</c>/<c>bpf_ringbuf_submit</c>, helpers 131/132). The host formats the message and logs
/// it through <see cref="ILogger"/> with the holes as structured properties (<c>BpfObject.StartLogging</c>); the
/// kernel never parses a format.
/// </summary>
/// <remarks>
/// <para>Holes: integers, <see cref="char"/>, <see cref="bool"/>, enums (printed by name), and byte buffers — an
/// <c>[InlineArray(N)]</c> struct of <see cref="byte"/> such as <see cref="TaskComm"/>, filled e.g. by
/// <c>probe_read_*_str</c> — printed as NUL-terminated UTF-8 text. Alignment and format specifiers
/// (<c>{pid,8}</c>, <c>{flags:x}</c>) work as in C#. A hole's property name is the variable, field or
/// property it reads (<c>{args.Pid}</c> → <c>Pid</c>).</para>
/// <para>When the ring is full the record is dropped and counted; the host logs how many were lost.</para>
/// <para>On the CLR (the same code run as .NET, e.g. in unit tests) the message is formatted by C# and logged
/// to <see cref="Logger"/>, or to <see cref="System.Diagnostics.Trace"/> when no logger is set. To print the
/// same text on both sides, give your own byte-buffer structs a <c>ToString()</c> that decodes them like
/// <see cref="TaskComm.ToString"/> does.</para>
/// </remarks>
public static class BpfLog
{
    private static volatile ILogger? s_logger;

    /// <summary>Where calls log when the BPF code runs on the CLR; null (the default) writes to <see cref="System.Diagnostics.Trace"/>.</summary>
    public static ILogger? Logger
    {
        get => s_logger;
        set => s_logger = value;
    }

    /// <summary>Logs at <see cref="LogLevel.Trace"/>.</summary>
    /// <param name="message">A constant or interpolated string (split at compile time in BPF code).</param>
    public static void Trace(string message) => Write(LogLevel.Trace, message);

    /// <summary>Logs at <see cref="LogLevel.Debug"/>.</summary>
    /// <param name="message">A constant or interpolated string (split at compile time in BPF code).</param>
    public static void Debug(string message) => Write(LogLevel.Debug, message);

    /// <summary>Logs at <see cref="LogLevel.Information"/>.</summary>
    /// <param name="message">A constant or interpolated string (split at compile time in BPF code).</param>
    public static void Info(string message) => Write(LogLevel.Information, message);

    /// <summary>Logs at <see cref="LogLevel.Warning"/>.</summary>
    /// <param name="message">A constant or interpolated string (split at compile time in BPF code).</param>
    public static void Warning(string message) => Write(LogLevel.Warning, message);

    /// <summary>Logs at <see cref="LogLevel.Error"/>.</summary>
    /// <param name="message">A constant or interpolated string (split at compile time in BPF code).</param>
    public static void Error(string message) => Write(LogLevel.Error, message);

    /// <summary>Logs at <see cref="LogLevel.Critical"/>.</summary>
    /// <param name="message">A constant or interpolated string (split at compile time in BPF code).</param>
    public static void Critical(string message) => Write(LogLevel.Critical, message);

    private static void Write(LogLevel level, string message)
    {
        if (s_logger is { } logger)
        {
            // The CLR has no template: the formatted text is the message (no {OriginalFormat} holes to parse).
            if (logger.IsEnabled(level)) logger.Log(level, default, message, null, static (m, _) => m);
            return;
        }
        System.Diagnostics.Trace.WriteLine($"{level}: {message}");
    }
}
