using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CsBpf.TestSupport;

/// <summary>An <see cref="ILogger"/> (and, through <see cref="Factory"/>, a factory) that records what it is given, enabled from <see cref="MinimumLevel"/> up.</summary>
public sealed class RecordingLogger(LogLevel minimumLevel = LogLevel.Trace, string category = "") : ILogger
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    /// <summary>The lowest level <see cref="IsEnabled"/> accepts.</summary>
    public LogLevel MinimumLevel { get; } = minimumLevel;

    /// <summary>The categories <see cref="Factory"/> was asked for.</summary>
    public ConcurrentQueue<string> CreatedCategories { get; } = new();

    /// <summary>What was logged, in order.</summary>
    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => logLevel >= MinimumLevel && logLevel != LogLevel.None;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var properties = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
        _entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), [.. properties]));
    }

    /// <summary>A factory whose loggers record into this one, with their category.</summary>
    public ILoggerFactory Factory => new FactoryView(this);

    private sealed class FactoryView(RecordingLogger inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName)
        {
            inner.CreatedCategories.Enqueue(categoryName);
            return new Categorized(inner, categoryName);
        }

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }

    private sealed class Categorized(RecordingLogger inner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            inner._entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), [.. properties]));
        }
    }
}
