using CsBpf.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis;

namespace CsBpf.Compiler.Frontend;

// Network program kinds: XDP, tc, socket filters, cgroup_skb and cgroup socket-address programs. Each takes its
// context struct (the ctx pointer) and returns its verdict; sections are libbpf 1.1's names, from which libbpf
// derives the program type and expected attach type.
internal sealed partial class ProgramDiscovery
{
    /// <summary>One network program attribute: its context type, what it may return, and its section.</summary>
    private sealed record NetworkKind(string Attribute, string Context, string? Action, Func<AttributeData, string?> Section);

    /// <summary>libbpf section names of <c>SockAddrHook</c> values, in the enum's order.</summary>
    private static readonly string[] s_sockAddrHooks =
        ["bind4", "bind6", "connect4", "connect6", "sendmsg4", "sendmsg6", "recvmsg4", "recvmsg6", "getpeername4", "getpeername6", "getsockname4", "getsockname6"];

    private static readonly NetworkKind[] s_networkKinds =
    [
        new(NetworkNames.XdpAttribute, NetworkNames.XdpContext, NetworkNames.XdpAction,
            a => a.NamedArguments.Any(n => n.Key == "Frags" && n.Value.Value is true) ? "xdp.frags" : "xdp"),
        // libbpf 1.1 has one section for both tc hooks ("tc"); the direction is chosen when attaching.
        new(NetworkNames.TcAttribute, NetworkNames.SkBuffContext, NetworkNames.TcAction,
            a => a.ConstructorArguments.ElementAtOrDefault(0).Value is 1 or 2 ? "tc" : null),
        new(NetworkNames.SocketFilterAttribute, NetworkNames.SkBuffContext, null, _ => "socket"),
        new(NetworkNames.CgroupSkbAttribute, NetworkNames.SkBuffContext, null,
            a => a.ConstructorArguments.ElementAtOrDefault(0).Value switch { 0 => "cgroup_skb/ingress", 1 => "cgroup_skb/egress", _ => null }),
        new(NetworkNames.CgroupSockAddrAttribute, NetworkNames.SockAddrContext, null,
            a => a.ConstructorArguments.ElementAtOrDefault(0).Value is int hook && hook >= 0 && hook < s_sockAddrHooks.Length ? "cgroup/" + s_sockAddrHooks[hook] : null),
    ];

    private string? NetworkSection(IMethodSymbol method)
    {
        foreach (NetworkKind kind in s_networkKinds)
        {
            if (GetAttribute(method, kind.Attribute) is not { } a) continue;
            if (kind.Section(a) is { } section) return section;
            Report(BpfDiagnostics.InvalidProgramDeclaration, LocationOf(a) ?? method.Locations.FirstOrDefault(), method.Name,
                $"[{a.AttributeClass?.Name.Replace("Attribute", "")}] has an argument that is not one of its enum's named values");
            return null;
        }
        return null;
    }

    private static NetworkKind? NetworkKindOf(IMethodSymbol method) =>
        s_networkKinds.FirstOrDefault(k => GetAttribute(method, k.Attribute) is not null);

    /// <summary>A network program is <c>static int|TAction M(TContext ctx)</c>: the method is the entry point.</summary>
    private bool ValidateNetworkProgram(IMethodSymbol method, string section, Location? at)
    {
        NetworkKind kind = NetworkKindOf(method)!;
        string contextName = kind.Context[(kind.Context.LastIndexOf('.') + 1)..];
        string returnName = kind.Action is null ? "int" : kind.Action[(kind.Action.LastIndexOf('.') + 1)..];
        bool returnsOk = method.ReturnType.SpecialType == SpecialType.System_Int32
            || (kind.Action is not null && method.ReturnType.ToDisplayString() == kind.Action);
        bool parameterOk = method.Parameters.Length == 1 && method.Parameters[0].RefKind == RefKind.None
            && method.Parameters[0].Type.ToDisplayString() == kind.Context;
        if (returnsOk && parameterOk && !method.ReturnsByRef) return true;
        Report(BpfDiagnostics.InvalidProgramDeclaration, at, method.Name,
            $"a program in section '{section}' must have the signature 'static {returnName} {method.Name}({contextName} ctx)'" +
            (kind.Action is null ? "" : " (or return int)"));
        return false;
    }
}
