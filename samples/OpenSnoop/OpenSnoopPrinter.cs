using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Samples.OpenSnoop;

/// <summary>
/// An <see cref="ILogger"/> that prints the BPF program's log entries as opensnoop's columns, from the entries'
/// structured properties (<c>pid</c>, <c>comm</c>, <c>fd</c>, <c>errno</c>, <c>flags</c>, <c>path</c> — the holes of
/// the <c>BpfLog.Info</c> message) rather than from the message text. Anything else (the reader's own warnings,
/// e.g. lost records) goes to standard error.
/// </summary>
public sealed class OpenSnoopPrinter(bool timestamp, bool extended, string? name, bool rawMessages) : ILogger
{
    private readonly Stopwatch _started = Stopwatch.StartNew();

    /// <summary>The column header.</summary>
    public string Header =>
        (timestamp ? $"{"TIME(s)",-14}" : "") + $"{"PID",-6} {"COMM",-16} {"FD",4} {"ERR",3} " + (extended ? $"{"FLAGS",-9}" : "") + "PATH";

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => true;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (state is not IReadOnlyList<KeyValuePair<string, object?>> properties || Find(properties, "path") is not { } path)
        {
            Console.Error.WriteLine($"{logLevel}: {formatter(state, exception)}");
            return;
        }
        string comm = Find(properties, "comm")?.ToString() ?? "";
        if (name is not null && !comm.Contains(name, StringComparison.Ordinal)) return;
        if (rawMessages)
        {
            // What any ILogger would show: level, category event (File.cs:line) and the formatted message.
            Console.WriteLine($"{logLevel}: [{eventId.Name}] {formatter(state, exception)}");
            return;
        }
        string line = "";
        if (timestamp) line += $"{_started.Elapsed.TotalSeconds.ToString("F6", CultureInfo.InvariantCulture),-14}";
        line += $"{Find(properties, "pid"),-6} {comm,-16} {Find(properties, "fd"),4} {Find(properties, "errno"),3} ";
        if (extended) line += Convert.ToString(Convert.ToInt64(Find(properties, "flags"), CultureInfo.InvariantCulture), 8).PadLeft(8, '0') + " ";
        Console.WriteLine(line + path);
    }

    private static object? Find(IReadOnlyList<KeyValuePair<string, object?>> properties, string key)
    {
        foreach (var (k, v) in properties)
            if (k == key) return v;
        return null;
    }
}
