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

/// <summary>The body of <c>GET /health</c>; <paramref name="ReadsRequireKey"/> says whether read endpoints need an API key.</summary>
public sealed record HealthResponse(string Status, string Model, int Users, int Items, string Device, IReadOnlyList<ModalityInfo> Modalities, bool ReadsRequireKey);

/// <summary>The body of <c>POST /recommendations</c>: an anonymous user's recent items (fold-in), k (default 20) and whether to include those items.</summary>
public sealed record FoldInRequest(IReadOnlyList<string>? Items, int? K, bool? IncludeSeen);

/// <summary>The answer to <c>POST /recommendations</c>.</summary>
public sealed record FoldInResponse(int K, bool IncludeSeen, IReadOnlyList<ScoredItem> Items);

/// <summary>The body of <c>POST /users/{id}/interactions</c>: the items the user interacted with since training.</summary>
public sealed record RecordRequest(IReadOnlyList<string>? Items);

/// <summary>The answer to <c>POST /users/{id}/interactions</c>.</summary>
public sealed record RecordedResponse(string UserId, int Recorded);
