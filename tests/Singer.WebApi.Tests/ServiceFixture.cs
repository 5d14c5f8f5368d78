using Microsoft.AspNetCore.Mvc.Testing;
using Singer.Recommendation;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;

namespace Singer.WebApi.Tests;

/// <summary>Trains a tiny SINGER model on synthetic data, saves it to a temporary file and starts the service on it (in memory).</summary>
public sealed class ServiceFixture : IDisposable
{
    public ServiceFixture()
    {
        Data = SyntheticDataGenerator.Generate(new SyntheticDataOptions
        {
            Users = 200,
            Items = 120,
            Interactions = 3_000,
            Clusters = 6,
            ImageDimension = 16,
            TextDimension = 8,
            Seed = 5,
        });
        ModelPath = Path.Combine(Path.GetTempPath(), $"singer-webapi-{Guid.NewGuid():N}.singer");
        using (var model = SingerModelBuilder.Singer(Data)
            .UseSemanticGraph(k: 5, coInteractionK: 5, beta: 0.3f)
            .WithTraining(t => t.MaxEpochs(3).EmbeddingSize(16).BatchSize(512).LearningRate(5e-3))
            .WithSeed(3)
            .Build())
        {
            model.Fit();
            model.Save(ModelPath);
        }

        Factory = Start();
        Client = Factory.CreateClient();
        Writer = Factory.CreateClient();
        Writer.DefaultRequestHeaders.Add("X-Api-Key", WriterKey);
    }

    /// <summary>The test keys, given to the service through configuration as a deployment would (never in appsettings.json).</summary>
    public const string WriterKey = "test-writer-key-0123456789abcdef";

    public const string ReaderKey = "test-reader-key-0123456789abcdef";

    /// <summary>Starts the service on the model with two API keys (a writer, a reader) and the given extra settings.</summary>
    public WebApplicationFactory<Program> Start(IReadOnlyDictionary<string, string>? settings = null) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Singer:ModelPath", ModelPath);
            b.UseSetting("Singer:ApiKeys:0:Name", "catalogue-admin");
            b.UseSetting("Singer:ApiKeys:0:Key", WriterKey);
            b.UseSetting("Singer:ApiKeys:0:Scopes:0", "read");
            b.UseSetting("Singer:ApiKeys:0:Scopes:1", "write");
            b.UseSetting("Singer:ApiKeys:1:Name", "storefront");
            b.UseSetting("Singer:ApiKeys:1:Key", ReaderKey);
            b.UseSetting("Singer:ApiKeys:1:Scopes:0", "read");
            // The shared service must not throttle the other tests.
            b.UseSetting("Singer:RateLimit:PermitsPerSecond", "100000");
            b.UseSetting("Singer:RateLimit:Burst", "100000");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                b.UseSetting(key, value);
            }
        });

    public InteractionDataset Data { get; }

    public string ModelPath { get; }

    public WebApplicationFactory<Program> Factory { get; }

    /// <summary>An anonymous client.</summary>
    public HttpClient Client { get; }

    /// <summary>A client with the writer key.</summary>
    public HttpClient Writer { get; }

    public void Dispose()
    {
        Client.Dispose();
        Writer.Dispose();
        Factory.Dispose();
        File.Delete(ModelPath);
    }
}
