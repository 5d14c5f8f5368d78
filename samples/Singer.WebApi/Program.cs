// A recommendation service over a saved model (docs/serving.md, "The HTTP sample"):
//
//   GET  /users/{id}/recommendations?k=20&includeSeen=false   read   the user's top-k items
//   GET  /items/{id}/similar?k=20                             read   the k most similar items (cosine of the representations)
//   POST /recommendations  {items: [ids], k, includeSeen}     read   top-k for an anonymous user from their recent items (fold-in)
//   POST /items                                               write  add brand-new items from their features (cold start)
//   POST /users/{id}/interactions  {items: [ids]}             write  record a user's new interactions (their next lists change)
//   GET  /health                                              open   model, counts, device and the modalities new items need
//
// Configuration: Singer:ModelPath (or the environment variable Singer__ModelPath) names a file written by
// SingerModel.Save or `singer train`; Singer:Device (cpu, cuda, auto), Singer:MaxK and Singer:UnknownUsers (Throw,
// MostPopular, FoldIn) are optional. Write endpoints need an API key with the write scope (Singer:ApiKeys, given
// through the environment or a secret store, never in a file); reads are open unless Singer:ReadsRequireKey is true.
// Every client (its key's name, else its address) is rate-limited by a token bucket (Singer:RateLimit). It listens on
// 127.0.0.1 only (appsettings.json); put a reverse proxy in front of it to serve other hosts.
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Singer.Recommendation;
using Singer.Recommendation.Core;
using Singer.WebApi;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddProblemDetails();
builder.Services.AddSingleton(services =>
{
    var config = services.GetRequiredService<IConfiguration>();
    string path = config["Singer:ModelPath"] is { Length: > 0 } p
        ? p
        : throw new InvalidOperationException("Set Singer:ModelPath (appsettings.json, or the environment variable Singer__ModelPath) to a model file written by SingerModel.Save or 'singer train'.");
    var device = ComputeDevice.Parse(config["Singer:Device"] ?? "cpu").Initialize();
    var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Singer");
    var model = SingerModel.Load(path, device, logger);
    logger.LogInformation("Loaded {Model} from {Path}: {Users} users, {Items} items, on {Device}", model.Name, path, model.Dataset.UserCount, model.ItemCount, device);
    return model;
});
builder.Services.AddSingleton(services =>
{
    var config = services.GetRequiredService<IConfiguration>();
    return RecommendationEngine.Create(
        services.GetRequiredService<SingerModel>(),
        new RecommendationEngineOptions
        {
            MaxK = config.GetValue("Singer:MaxK", 1000),
            UnknownUsers = config.GetValue("Singer:UnknownUsers", UnknownUserPolicy.Throw),
        });
});

// Authentication: API keys (ApiKeyAuthentication.cs). Authorization: "write" needs a key with the write scope; "read"
// is open unless Singer:ReadsRequireKey, then it needs a key with the read or write scope.
var apiKeys = ApiKeys.Read(builder.Configuration);
ApiKeys.Validate(apiKeys);
bool readsRequireKey = builder.Configuration.GetValue("Singer:ReadsRequireKey", false);
builder.Services.AddSingleton(new ApiKeyStore(apiKeys));
builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
builder.Services.AddAuthorizationBuilder()
    .AddPolicy("write", p => p.RequireAuthenticatedUser().RequireClaim("scope", "write"))
    .AddPolicy("read", p =>
    {
        if (readsRequireKey)
        {
            p.RequireAuthenticatedUser().RequireClaim("scope", "read", "write");
        }
        else
        {
            p.RequireAssertion(_ => true);
        }
    });

// Rate limiting: one token bucket per client — the API key's name when one was given, else the remote address.
int permitsPerSecond = builder.Configuration.GetValue("Singer:RateLimit:PermitsPerSecond", 200);
int burst = builder.Configuration.GetValue("Singer:RateLimit:Burst", 400);
builder.Services.AddRateLimiter(o =>
{
    o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
    o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetTokenBucketLimiter(
        context.User.Identity?.IsAuthenticated == true ? "key:" + context.User.Identity.Name : "address:" + context.Connection.RemoteIpAddress,
        _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = permitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    o.OnRejected = async (context, token) =>
    {
        if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
        {
            context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        await TypedResults.Problem(title: "Too many requests",
            detail: $"This client is over its limit of {permitsPerSecond} requests per second (bursts of {burst}); retry later.",
            statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context.HttpContext);
    };
});

var app = builder.Build();
// Unhandled errors become problem details; a request that does not bind (k=ten, malformed JSON) stays a 400.
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
});
app.UseStatusCodePages();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();

// Load the model at start-up, so that a wrong path or a damaged file stops the service now, not at the first request.
var engine = app.Services.GetRequiredService<RecommendationEngine>();
var model = app.Services.GetRequiredService<SingerModel>();
if (apiKeys.Count == 0)
{
    app.Logger.LogWarning("No API keys are configured (Singer:ApiKeys): every write request will be refused with 401.");
}

app.MapGet("/health", () => TypedResults.Ok(new HealthResponse(
    "ok",
    model.Name,
    engine.UserCount,
    engine.ItemCount,
    model.ComputeDevice.ToString(),
    (model.Graph?.Modalities ?? []).Select(m => new ModalityInfo(m, model.Dataset.GetModality(m).Dimension)).ToArray(),
    readsRequireKey)))
    .DisableRateLimiting();

app.MapGet("/users/{id}/recommendations", Results<Ok<RecommendationsResponse>, ProblemHttpResult> (string id, int? k, bool? includeSeen) =>
{
    int count = k ?? 20;
    if (BadK(count) is { } bad)
    {
        return bad;
    }

    try
    {
        var items = engine.Recommend(id, count, excludeSeen: includeSeen != true);
        return TypedResults.Ok(new RecommendationsResponse(id, count, includeSeen == true, items.Select(r => new ScoredItem(r.ItemId, r.Score)).ToArray()));
    }
    catch (UnknownUserException e)
    {
        return TypedResults.Problem(title: "Unknown user", detail: e.Message, statusCode: StatusCodes.Status404NotFound);
    }
}).RequireAuthorization("read");

app.MapPost("/recommendations", Results<Ok<FoldInResponse>, ProblemHttpResult> (FoldInRequest request) =>
{
    int count = request.K ?? 20;
    if (BadK(count) is { } bad)
    {
        return bad;
    }

    if (request.Items is null)
    {
        return TypedResults.Problem(title: "Invalid request", detail: "The body needs \"items\": the ids of the items the user interacted with (may be empty).", statusCode: StatusCodes.Status400BadRequest);
    }

    try
    {
        var items = engine.Recommend(request.Items, count, excludeSeen: request.IncludeSeen != true);
        return TypedResults.Ok(new FoldInResponse(count, request.IncludeSeen == true, items.Select(r => new ScoredItem(r.ItemId, r.Score)).ToArray()));
    }
    catch (UnknownItemException e)
    {
        return TypedResults.Problem(title: "Unknown item", detail: e.Message, statusCode: StatusCodes.Status400BadRequest);
    }
    catch (ArgumentException e)
    {
        return TypedResults.Problem(title: "Invalid request", detail: Detail(e), statusCode: StatusCodes.Status400BadRequest);
    }
}).RequireAuthorization("read");

app.MapPost("/users/{id}/interactions", Results<Ok<RecordedResponse>, ProblemHttpResult> (string id, RecordRequest request) =>
{
    if (request.Items is not { Count: > 0 })
    {
        return TypedResults.Problem(title: "Invalid request", detail: "The body needs \"items\": one or more item ids.", statusCode: StatusCodes.Status400BadRequest);
    }

    try
    {
        engine.RecordInteractions(id, request.Items);
        return TypedResults.Ok(new RecordedResponse(id, request.Items.Count));
    }
    catch (UnknownItemException e)
    {
        return TypedResults.Problem(title: "Unknown item", detail: e.Message, statusCode: StatusCodes.Status400BadRequest);
    }
    catch (ArgumentException e)
    {
        return TypedResults.Problem(title: "Invalid request", detail: Detail(e), statusCode: StatusCodes.Status400BadRequest);
    }
}).RequireAuthorization("write");

app.MapGet("/items/{id}/similar", Results<Ok<SimilarItemsResponse>, ProblemHttpResult> (string id, int? k) =>
{
    int count = k ?? 20;
    if (BadK(count) is { } bad)
    {
        return bad;
    }

    try
    {
        var items = engine.SimilarItems(id, count);
        return TypedResults.Ok(new SimilarItemsResponse(id, count, items.Select(r => new ScoredItem(r.ItemId, r.Score)).ToArray()));
    }
    catch (UnknownItemException e)
    {
        return TypedResults.Problem(title: "Unknown item", detail: e.Message, statusCode: StatusCodes.Status404NotFound);
    }
}).RequireAuthorization("read");

app.MapPost("/items", Results<Created<AddItemsResponse>, ProblemHttpResult> (AddItemsRequest request) =>
{
    if (model.Graph is null)
    {
        return TypedResults.Problem(title: "Cold start unavailable",
            detail: $"The served model is {model.Name}, which has no semantic branch and cannot place items from their features; serve a SINGER model.",
            statusCode: StatusCodes.Status409Conflict);
    }

    var (features, ids, problem) = NewItems.ToModalities(request, model.Graph.Modalities, m => model.Dataset.GetModality(m).Dimension);
    if (problem is not null)
    {
        return TypedResults.Problem(title: "Invalid new items", detail: problem, statusCode: StatusCodes.Status400BadRequest);
    }

    try
    {
        engine.AddItems(features!, ids!);
    }
    catch (ArgumentException e) when (e.ParamName == "itemIds")
    {
        // An id that exists already (or repeats): the catalogue is unchanged.
        return TypedResults.Problem(title: "Item id conflict", detail: Detail(e), statusCode: StatusCodes.Status409Conflict);
    }
    catch (ArgumentException e)
    {
        return TypedResults.Problem(title: "Invalid new items", detail: Detail(e), statusCode: StatusCodes.Status400BadRequest);
    }

    return TypedResults.Created($"/items/{Uri.EscapeDataString(ids![0])}/similar", new AddItemsResponse(ids, engine.ItemCount));
}).RequireAuthorization("write");

app.Run();

ProblemHttpResult? BadK(int k) => k >= 1 && k <= engine.Options.MaxK
    ? null
    : TypedResults.Problem(title: "Invalid k", detail: $"k must be in [1, {engine.Options.MaxK}]; got {k}.", statusCode: StatusCodes.Status400BadRequest);

// An ArgumentException's message ends with " (Parameter 'x')", which names our code, not the client's request.
static string Detail(ArgumentException e) =>
    e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);

/// <summary>The entry point's class, public so that tests can start the service with WebApplicationFactory.</summary>
public partial class Program;
