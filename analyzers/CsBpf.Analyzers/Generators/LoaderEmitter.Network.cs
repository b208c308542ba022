namespace CsBpf.Analyzers.Generators
{
    // Typed attach methods for program kinds whose target is not in the section name (libbpf's skeletons skip
    // them when attaching everything): an interface for XDP and tc, a socket, a cgroup.
    public static partial class LoaderEmitter
    {
        private static void EmitTypedAttach(Writer w, ProgramModel program)
        {
            string handle = program.Identifier;
            string method = "Attach" + program.Name;
            switch (program.Kind)
            {
                case "Xdp":
                    w.Line($"/// <summary>Attaches <c>{program.Name}</c> to network interface <paramref name=\"interfaceName\"/> (a BPF link; the kernel picks the XDP mode).</summary>");
                    w.Line($"public {Runtime}.BpfLink {method}(string interfaceName) => {handle}.AttachXdp(interfaceName);");
                    w.Line($"/// <summary>Attaches <c>{program.Name}</c> to network interface <paramref name=\"interfaceName\"/> in XDP mode <paramref name=\"mode\"/>.</summary>");
                    w.Line($"public {Runtime}.BpfXdpAttachment {method}(string interfaceName, {Runtime}.XdpAttachMode mode) => {handle}.AttachXdp(interfaceName, mode);");
                    break;
                case "Tc" when program.AttachArgument.Length > 0:
                    string direction = program.AttachArgument.Substring(program.AttachArgument.LastIndexOf('.') + 1).ToLowerInvariant();
                    w.Line($"/// <summary>Attaches <c>{program.Name}</c> to the tc {direction} hook of network interface <paramref name=\"interfaceName\"/> (adding its clsact qdisc if needed).</summary>");
                    w.Line($"public {Runtime}.BpfTcAttachment {method}(string interfaceName, uint priority = 0) => {handle}.AttachTc(interfaceName, {program.AttachArgument}, priority);");
                    break;
                case "SocketFilter":
                    w.Line($"/// <summary>Attaches <c>{program.Name}</c> to <paramref name=\"socket\"/> (<c>SO_ATTACH_BPF</c>).</summary>");
                    w.Line($"public {Runtime}.BpfSocketFilterAttachment {method}(global::System.Net.Sockets.Socket socket) => {handle}.AttachSocketFilter(socket);");
                    break;
                case "CgroupSkb":
                case "CgroupSockAddr":
                    w.Line($"/// <summary>Attaches <c>{program.Name}</c> to the cgroup v2 directory <paramref name=\"cgroupPath\"/> (it then runs for that cgroup's processes and its descendants').</summary>");
                    w.Line($"public {Runtime}.BpfLink {method}(string cgroupPath) => {handle}.AttachCgroup(cgroupPath);");
                    break;
            }
        }
    }
}
