using System.Collections;

namespace CsBpf.Runtime.Logging;

/// <summary>
/// The state of one BPF log record as Microsoft.Extensions.Logging's structured loggers expect it (what
/// <c>LoggerMessage</c>/<c>FormattedLogValues</c> give them): the holes as name/value pairs, then
/// <c>{OriginalFormat}</c> with the message template; <see cref="ToString"/> is the formatted message.
/// </summary>
internal sealed class BpfLogState : IReadOnlyList<KeyValuePair<string, object?>>
{
    /// <summary>The property name Microsoft.Extensions.Logging uses for the template.</summary>
    public const string OriginalFormatName = "{OriginalFormat}";

    private readonly BpfLogFormat _format;
    private readonly object[] _values;

    public BpfLogState(BpfLogFormat format, object[] values, string message)
    {
        _format = format;
        _values = values;
        Message = message;
    }

    /// <summary>The formatted message.</summary>
    public string Message { get; }

    public int Count => _values.Length + 1;

    public KeyValuePair<string, object?> this[int index] =>
        index == _values.Length ? new(OriginalFormatName, _format.Template)
        : (uint)index < (uint)_values.Length ? new(_format.Holes[index].Name, _values[index])
        : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Message;
}
