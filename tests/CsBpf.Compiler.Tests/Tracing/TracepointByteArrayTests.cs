using CsBpf.Compiler.Tracepoints;

namespace CsBpf.Compiler.Tests.Tracing;

/// <summary>
/// <c>csbpfc tracepoint</c> maps a 16-byte <c>char</c> array (a task's command name) to <c>TaskComm</c>, and
/// 16-byte binary arrays (<c>__u8 saddr_v6[16]</c> of sock/inet_sock_set_state: an IPv6 address) to byte arrays.
/// </summary>
public class TracepointByteArrayTests
{
    private const string Format = """
        name: inet_like
        ID: 4243
        format:
        	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
        	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
        	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
        	field:int common_pid;	offset:4;	size:4;	signed:1;

        	field:char comm[16];	offset:8;	size:16;	signed:0;
        	field:__u8 saddr_v6[16];	offset:24;	size:16;	signed:0;
        	field:unsigned char key[16];	offset:40;	size:16;	signed:0;
        	field:const char name[16];	offset:56;	size:16;	signed:0;

        print fmt: "comm=%s", REC->comm
        """;

    [Fact]
    public void Only_char_arrays_of_sixteen_bytes_are_command_names()
    {
        string source = TracepointRecordWriter.Write("test", "inet_like", TracepointFormat.Parse(Format));
        Assert.Contains("public TaskComm Comm;", source);
        Assert.Contains("public TaskComm Name;", source);
        Assert.Contains("public SaddrV6Array SaddrV6;", source);
        Assert.Contains("public KeyArray Key;", source);
        Assert.Contains("[InlineArray(16)]\n    public struct SaddrV6Array\n    {\n        private byte _element0;", source);
    }
}
