// Flow accounting and service classification, dropping SYN+FIN / SYN+RST packets: the logic of an
// XDP classifier, as a syscall program.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <stdbool.h>

#define FIN 0x01
#define SYN 0x02
#define RST 0x04

enum Service { Unknown, Ssh, Web, Dns, Ephemeral, OtherTcp, OtherUdp, Icmp };

// A parsed packet header passed in by user space; Class and Verdict are written back.
struct PacketInfo {
	__u32 Saddr;
	__u32 Daddr;
	__u16 Sport;
	__u16 Dport;
	__u8 Proto;
	__u8 TcpFlags;
	__u16 Len;
	enum Service Class;
	__s32 Verdict;
};

struct FlowKey {
	__u32 Saddr;
	__u32 Daddr;
	__u16 Sport;
	__u16 Dport;
	__u8 Proto;
	__u8 Pad1;
	__u16 Pad2;
};

struct FlowStats {
	__u64 Packets;
	__u64 Bytes;
	enum Service Class;
	__u32 Flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct FlowKey);
	__type(value, struct FlowStats);
} Flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} PerService SEC(".maps");

static enum Service Classify(__u8 proto, __u16 dport)
{
	switch (proto) {
	case 6:
		switch (dport) {
		case 22:
			return Ssh;
		case 80: case 443: case 8080:
			return Web;
		default:
			return dport >= 1024 ? Ephemeral : OtherTcp;
		}
	case 17:
		return dport == 53 ? Dns : OtherUdp;
	case 1:
		return Icmp;
	default:
		return Unknown;
	}
}

static bool Suspicious(__u8 proto, __u8 flags)
{
	return proto == 6 && ((flags & (SYN | FIN)) == (SYN | FIN) || (flags & (SYN | RST)) == (SYN | RST));
}

SEC("syscall")
int OnPacket(struct PacketInfo *pkt)
{
	enum Service svc = Classify(pkt->Proto, pkt->Dport);
	pkt->Class = svc;
	if (Suspicious(pkt->Proto, pkt->TcpFlags)) {
		pkt->Verdict = 1;
		return 1;
	}
	struct FlowKey key = {};
	key.Saddr = pkt->Saddr;
	key.Daddr = pkt->Daddr;
	key.Sport = pkt->Sport;
	key.Dport = pkt->Dport;
	key.Proto = pkt->Proto;
	struct FlowStats *flow = bpf_map_lookup_elem(&Flows, &key);
	if (!flow) {
		struct FlowStats fresh = {};
		fresh.Packets = 1;
		fresh.Bytes = pkt->Len;
		fresh.Class = svc;
		fresh.Flags = pkt->TcpFlags;
		bpf_map_update_elem(&Flows, &key, &fresh, BPF_NOEXIST);
	} else {
		__sync_fetch_and_add(&flow->Packets, 1);
		__sync_fetch_and_add(&flow->Bytes, pkt->Len);
		flow->Flags |= pkt->TcpFlags;
	}
	__u32 index = svc;
	__u64 *n = bpf_map_lookup_elem(&PerService, &index);
	if (n)
		__sync_fetch_and_add(n, 1);
	pkt->Verdict = 0;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
