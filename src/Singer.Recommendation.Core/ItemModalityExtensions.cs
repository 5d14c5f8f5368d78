using TorchSharp;

namespace Singer.Recommendation;

/// <summary>Tensor views of the data layer's types (the data layer itself does not depend on TorchSharp).</summary>
public static class ItemModalityExtensions
{
    /// <summary>Copies the matrix into a new <c>float32</c> tensor of shape <c>[ItemCount, Dimension]</c> on <paramref name="device"/>.</summary>
    /// <param name="modality">The item features.</param>
    /// <param name="device">The target device; the CPU when <see langword="null"/>.</param>
    public static torch.Tensor ToTensor(this ItemModality modality, torch.Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(modality);
        var t = torch.tensor(modality.UnsafeArray, new long[] { modality.ItemCount, modality.Dimension });
        if (device is null || device.type == DeviceType.CPU)
        {
            return t;
        }

        using (t)
        {
            return t.to(device);
        }
    }
}
