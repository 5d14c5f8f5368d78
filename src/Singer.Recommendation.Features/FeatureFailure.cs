namespace Singer.Recommendation.Features;

/// <summary>An item whose raw input could not be encoded and received the modality's mean vector instead.</summary>
/// <param name="Item">The row (item index) concerned.</param>
/// <param name="Source">The input that failed, for example the image path; null when none was given.</param>
/// <param name="Reason">Why: missing file, undecodable data, and so on.</param>
public readonly record struct FeatureFailure(int Item, string? Source, string Reason);
