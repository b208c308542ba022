namespace CsBpf.Runtime;

// Typed accessors of the map kinds beyond hash, array, per-CPU maps, ring buffers and perf event arrays.
public sealed partial class BpfObject
{
    /// <summary>A typed view of the LPM trie <paramref name="name"/> (<c>BPF_MAP_TYPE_LPM_TRIE</c>).</summary>
    /// <exception cref="KeyNotFoundException">No such map.</exception>
    /// <exception cref="BpfException">The map is not an LPM trie, or the type sizes differ from the map's.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public BpfLpmTrieMap<TData, TValue> GetLpmTrieMap<TData, TValue>(string name)
        where TData : unmanaged
        where TValue : unmanaged => GetMap(name).AsLpmTrieMap<TData, TValue>();

    /// <summary>A typed view of the queue map <paramref name="name"/> (<c>BPF_MAP_TYPE_QUEUE</c>).</summary>
    /// <exception cref="KeyNotFoundException">No such map.</exception>
    /// <exception cref="BpfException">The map is not a queue, or the value size differs.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public BpfQueueMap<T> GetQueueMap<T>(string name)
        where T : unmanaged => GetMap(name).AsQueueMap<T>();

    /// <summary>A typed view of the stack map <paramref name="name"/> (<c>BPF_MAP_TYPE_STACK</c>).</summary>
    /// <exception cref="KeyNotFoundException">No such map.</exception>
    /// <exception cref="BpfException">The map is not a stack map, or the value size differs.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public BpfStackMap<T> GetStackMap<T>(string name)
        where T : unmanaged => GetMap(name).AsStackMap<T>();

    /// <summary>A view of the stack trace map <paramref name="name"/> (<c>BPF_MAP_TYPE_STACK_TRACE</c>).</summary>
    /// <exception cref="KeyNotFoundException">No such map.</exception>
    /// <exception cref="BpfException">The map is not a stack trace map.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public BpfStackTraceMap GetStackTraceMap(string name) => GetMap(name).AsStackTraceMap();

    /// <summary>A view of the program array <paramref name="name"/> (<c>BPF_MAP_TYPE_PROG_ARRAY</c>).</summary>
    /// <exception cref="KeyNotFoundException">No such map.</exception>
    /// <exception cref="BpfException">The map is not a program array.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public BpfProgramArray GetProgramArray(string name) => GetMap(name).AsProgramArray();

    /// <summary>A view of the array of maps <paramref name="name"/> (<c>BPF_MAP_TYPE_ARRAY_OF_MAPS</c>).</summary>
    /// <exception cref="KeyNotFoundException">No such map.</exception>
    /// <exception cref="BpfException">The map is not an array of maps.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public BpfArrayOfMaps GetArrayOfMaps(string name) => GetMap(name).AsArrayOfMaps();

    /// <summary>A view of the hash of maps <paramref name="name"/> (<c>BPF_MAP_TYPE_HASH_OF_MAPS</c>).</summary>
    /// <exception cref="KeyNotFoundException">No such map.</exception>
    /// <exception cref="BpfException">The map is not a hash of maps, or the key size differs.</exception>
    /// <exception cref="InvalidOperationException">The object is not loaded yet.</exception>
    public BpfHashOfMaps<TKey> GetHashOfMaps<TKey>(string name)
        where TKey : unmanaged => GetMap(name).AsHashOfMaps<TKey>();
}
