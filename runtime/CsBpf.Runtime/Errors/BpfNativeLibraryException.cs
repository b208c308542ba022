namespace CsBpf.Runtime;

/// <summary>libbpf 1.x (<c>libbpf.so.1</c>) could not be loaded, or the library found is not version 1.x.</summary>
public class BpfNativeLibraryException : BpfException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Cause and fix (install Debian package libbpf1 or set <c>CSBPF_LIBBPF</c>).</param>
    /// <param name="innerException">The loader's exception, if any.</param>
    public BpfNativeLibraryException(string message, Exception? innerException = null) : base(message, innerException) { }
}
