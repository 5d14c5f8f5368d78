// A minimal recommendation service over a saved model (docs/serving.md):
//
//   GET  /users/{id}/recommendations?k=20&includeSeen=false   the user's top-k items
//   GET  /items/{id}/similar?k=20                             the k most similar items (cosine of the representations)
//   POST /items                                               add brand-new items from their features (cold start)
//   GET  /health                                              model, counts, device and the modalities new items need
//
// Configuration: Singer:ModelPath (or the environment variable Singer__ModelPath) names a file written by
// SingerModel.Save or `singer train`; Singer:Device (cpu, cuda, auto) and Singer:MaxK are optional. It listens on
// 127.0.0.1 only (appsettings.json); put a reverse proxy in front of it to serve other hosts.
using Microsoft.AspNetCore.Http.HttpResults;
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
builder.Services.AddSingleton(services => RecommendationEngine.Create(
    services.GetRequiredService<SingerModel>(),
    new RecommendationEngineOptions { MaxK = services.GetRequiredService<IConfiguration>().GetValue("Singer:MaxK", 1000) }));

var app = builder.Build();
// Unhandled errors become problem details; a request that does not bind (k=ten, malformed JSON) stays a 400.
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
});
app.UseStatusCodePages();

// Load the model at start-up, so that a wrong path or a damaged file stops the service now, not at the first request.
var engine = app.Services.GetRequiredService<RecommendationEngine>();
var model = app.Services.GetRequiredService<SingerModel>();

app.MapGet("/health", () => TypedResults.Ok(new HealthResponse(
    "ok",
    model.Name,
    engine.UserCount,
    engine.ItemCount,
    model.ComputeDevice.ToString(),
    (model.Graph?.Modalities ?? []).Select(m => new ModalityInfo(m, model.Dataset.GetModality(m).Dimension)).ToArray())));

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
});

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
});

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
});

app.Run();

ProblemHttpResult? BadK(int k) => k >= 1 && k <= engine.Options.MaxK
    ? null
    : TypedResults.Problem(title: "Invalid k", detail: $"k must be in [1, {engine.Options.MaxK}]; got {k}.", statusCode: StatusCodes.Status400BadRequest);

// An ArgumentException's message ends with " (Parameter 'x')", which names our code, not the client's request.
static string Detail(ArgumentException e) =>
    e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);

/// <summary>The entry point's class, public so that tests can start the service with WebApplicationFactory.</summary>
public partial class Program;
