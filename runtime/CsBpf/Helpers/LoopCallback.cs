namespace CsBpf;

/// <summary>
/// The body of a <see cref="Bpf.Loop{T}"/> iteration: a static method of the BPF class. Return 0 to continue
/// with the next index, anything else (conventionally 1) to stop.
/// </summary>
/// <typeparam name="T">The state shared by the iterations, a local of the calling program.</typeparam>
/// <param name="index">The iteration number, from 0.</param>
/// <param name="context">The state passed to <see cref="Bpf.Loop{T}"/>.</param>
public delegate long LoopCallback<T>(uint index, ref T context) where T : unmanaged;
