using System.Buffers;

namespace Singer.Recommendation.Graphs.Knn;

/// <summary>
/// Float work arrays (the normalised feature copies of the kNN builder; the tile buffers are pooled the same way in Core) from <see cref="ArrayPool{T}.Shared"/> up to 256 MiB,
/// so that a second build (the next modality, the next benchmark iteration) reuses memory whose pages are already
/// mapped: a fresh page costs a fault on first touch, which on a virtual machine was measured at about 3 ms per MB.
/// Larger arrays are allocated and left to the GC, so the pool never keeps more than that.
/// </summary>
internal static class Scratch
{
    private const int MaxPooledLength = 64 * 1024 * 1024;

    /// <summary>An array of at least <paramref name="length"/> floats, with undefined content.</summary>
    public static float[] Rent(int length) =>
        length <= MaxPooledLength ? ArrayPool<float>.Shared.Rent(length) : GC.AllocateUninitializedArray<float>(length);

    /// <summary>Gives an array from <see cref="Rent"/> back (no tensor may still wrap it).</summary>
    public static void Return(float[] array)
    {
        if (array.Length <= MaxPooledLength)
        {
            ArrayPool<float>.Shared.Return(array);
        }
    }
}
