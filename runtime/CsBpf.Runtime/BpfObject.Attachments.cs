namespace CsBpf.Runtime;

// Attachments that are not libbpf links (tc filters, socket filters, XDP links with a mode): tracked like links
// so that disposing the object detaches them before the programs are unloaded.
public sealed partial class BpfObject
{
    private readonly List<BpfAttachment> _attachments = [];

    /// <summary>Records <paramref name="attachment"/>; detaches it at once and throws if the object was disposed meanwhile.</summary>
    internal T Track<T>(T attachment) where T : BpfAttachment
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _attachments.Add(attachment);
                return attachment;
            }
        }
        attachment.Dispose();
        throw new ObjectDisposedException(ToString());
    }

    /// <summary>Called by <see cref="BpfAttachment.Dispose"/>.</summary>
    internal void Forget(BpfAttachment attachment)
    {
        lock (_gate) _attachments.Remove(attachment);
    }

    /// <summary>Detaches every attachment, newest first (from <see cref="Dispose"/>).</summary>
    private void DetachAttachments()
    {
        BpfAttachment[] attachments;
        lock (_gate)
        {
            attachments = [.. _attachments];
            _attachments.Clear();
        }
        for (var i = attachments.Length - 1; i >= 0; i--) attachments[i].Dispose();
    }
}
