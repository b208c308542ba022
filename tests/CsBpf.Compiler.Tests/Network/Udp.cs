using System.Net;
using System.Net.Sockets;

namespace CsBpf.Compiler.Tests.Network;

/// <summary>UDP traffic for the attach tests: a receiver that counts datagrams, a sender.</summary>
internal static class Udp
{
    /// <summary>A socket bound to <paramref name="address"/>:<paramref name="port"/>.</summary>
    public static Socket Bind(string address, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(address), port));
        return socket;
    }

    /// <summary>Sends <paramref name="count"/> datagrams with <paramref name="payload"/> to <paramref name="address"/>:<paramref name="port"/>.</summary>
    public static void Send(Socket from, string address, int port, int count, byte[]? payload = null)
    {
        var to = new IPEndPoint(IPAddress.Parse(address), port);
        for (int i = 0; i < count; i++) from.SendTo(payload ?? [(byte)i], to);
    }

    /// <summary>The datagrams that arrive until none has come for <paramref name="quietMilliseconds"/>.</summary>
    public static List<byte[]> Drain(Socket socket, int quietMilliseconds = 400)
    {
        var received = new List<byte[]>();
        var buffer = new byte[2048];
        while (socket.Poll(quietMilliseconds * 1000, SelectMode.SelectRead))
        {
            int n = socket.Receive(buffer);
            received.Add(buffer[..n]);
        }
        return received;
    }
}
