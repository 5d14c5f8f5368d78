namespace Singer.WebApi;

/// <summary>One item of a response: its id and its score (<c>z_u · z_i</c> for recommendations, the cosine for similar items).</summary>
public sealed record ScoredItem(string ItemId, float Score);

/// <summary>The body of <c>GET /users/{id}/recommendations</c>.</summary>
public sealed record RecommendationsResponse(string UserId, int K, bool IncludeSeen, IReadOnlyList<ScoredItem> Items);

/// <summary>The body of <c>GET /items/{id}/similar</c>.</summary>
public sealed record SimilarItemsResponse(string ItemId, int K, IReadOnlyList<ScoredItem> Items);

/// <summary>One new item of <c>POST /items</c>: its id and one feature vector per modality of the model.</summary>
public sealed record NewItem(string? Id, Dictionary<string, float[]>? Features);

/// <summary>The body of <c>POST /items</c>: the new items (cold start), added together.</summary>
public sealed record AddItemsRequest(IReadOnlyList<NewItem>? Items);

/// <summary>The answer to <c>POST /items</c>: the ids added and the size of the catalogue now.</summary>
public sealed record AddItemsResponse(IReadOnlyList<string> Added, int ItemCount);

/// <summary>A modality the model expects for new items, with its dimension.</summary>
public sealed record ModalityInfo(string Name, int Dimension);

/// <summary>The body of <c>GET /health</c>.</summary>
public sealed record HealthResponse(string Status, string Model, int Users, int Items, string Device, IReadOnlyList<ModalityInfo> Modalities);
