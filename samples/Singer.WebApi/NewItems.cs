using System.Globalization;
using Singer.Recommendation;
using Singer.Recommendation.Core;

namespace Singer.WebApi;

/// <summary>Turns the body of <c>POST /items</c> into the per-modality matrices that <c>RecommendationEngine.AddItems</c> takes.</summary>
internal static class NewItems
{
    /// <summary>The modalities (one row per new item, in request order) and the ids; or a problem that names the item and the modality at fault.</summary>
    public static (IReadOnlyList<ItemModality>? Features, IReadOnlyList<string>? Ids, string? Problem) ToModalities(
        AddItemsRequest? request, IReadOnlyList<string> modalities, Func<string, int> dimension)
    {
        if (request?.Items is not { Count: > 0 } items)
        {
            return Fail("The body needs \"items\": [{ \"id\": \"…\", \"features\": { \"<modality>\": [ … ] } }, …] with at least one item.");
        }

        var ids = new List<string>(items.Count);
        var data = modalities.ToDictionary(m => m, m => new float[items.Count * dimension(m)], StringComparer.Ordinal);
        for (int n = 0; n < items.Count; n++)
        {
            var item = items[n];
            if (string.IsNullOrWhiteSpace(item?.Id))
            {
                return Fail($"Item {n} has no \"id\".");
            }

            if (item.Features is null)
            {
                return Fail($"Item '{item.Id}' has no \"features\"; give one array per modality: {Describe(modalities, dimension)}.");
            }

            foreach (string name in item.Features.Keys.Where(k => !data.ContainsKey(k)))
            {
                return Fail($"Item '{item.Id}' has features for '{name}', which the model does not use; it uses {Describe(modalities, dimension)}.");
            }

            foreach (string m in modalities)
            {
                int d = dimension(m);
                if (!item.Features.TryGetValue(m, out var values) || values is null)
                {
                    return Fail($"Item '{item.Id}' has no features for modality '{m}' ({d} numbers).");
                }

                if (values.Length != d)
                {
                    return Fail(string.Create(CultureInfo.InvariantCulture, $"Item '{item.Id}': modality '{m}' has {values.Length} numbers; the model was trained on {d}."));
                }

                if (values.Any(v => !float.IsFinite(v)))
                {
                    return Fail($"Item '{item.Id}': modality '{m}' holds a value that is not a finite number.");
                }

                values.CopyTo(data[m], n * d);
            }

            ids.Add(item.Id);
        }

        var features = modalities.Select(m => new ItemModality(m, items.Count, dimension(m), data[m], takeOwnership: true)).ToArray();
        return (features, ids, null);
    }

    private static (IReadOnlyList<ItemModality>?, IReadOnlyList<string>?, string?) Fail(string problem) => (null, null, problem);

    private static string Describe(IReadOnlyList<string> modalities, Func<string, int> dimension) =>
        string.Join(", ", modalities.Select(m => string.Create(CultureInfo.InvariantCulture, $"'{m}' ({dimension(m)} numbers)")));
}
