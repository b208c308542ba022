using Microsoft.Extensions.Logging;

namespace CsBpf.TestSupport;

/// <summary>One call to <see cref="RecordingLogger.Log{TState}"/>: level, event id, the formatted message and the
/// structured properties (when the state is a list of name/value pairs, as structured loggers expect).</summary>
public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> Properties)
{
    /// <summary>The property <paramref name="name"/>; fails when absent.</summary>
    public object? this[string name] => Properties.Single(p => p.Key == name).Value;
}
