namespace CsBpf;

/// <summary>
/// Marks a struct constructor of a library (whose source is not in the user's project) that assigns its parameters
/// to the struct's instance fields in declaration order and does nothing else, such as
/// <see cref="LpmKey{TData}"/>'s. BPF code compiles <c>new T(a, b)</c> of such a constructor to those field stores;
/// the parameters must match the fields one for one, in order and type.
/// </summary>
[AttributeUsage(AttributeTargets.Constructor, Inherited = false)]
public sealed class FieldwiseConstructorAttribute : Attribute
{
}
