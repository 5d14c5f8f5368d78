
namespace Singer.Recommendation.Features;

/// <summary>The outcome of <see cref="ImageFeatureEncoder.Encode"/>: the modality and the items that got the mean vector.</summary>
public sealed class ImageEncodingResult
{
    internal ImageEncodingResult(ItemModality modality, IReadOnlyList<FeatureFailure> failures)
    {
        Modality = modality;
        Failures = failures;
    }

    /// <summary>One 512-d row per item, in input order. Rows of <see cref="Failures"/> hold the mean of the other rows.</summary>
    public ItemModality Modality { get; }

    /// <summary>The items whose image was missing or unreadable, in item order; empty when every image was encoded.</summary>
    public IReadOnlyList<FeatureFailure> Failures { get; }
}
