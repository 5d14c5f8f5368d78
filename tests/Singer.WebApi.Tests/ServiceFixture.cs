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

        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("Singer:ModelPath", ModelPath));
        Client = Factory.CreateClient();
    }

    public InteractionDataset Data { get; }

    public string ModelPath { get; }

    public WebApplicationFactory<Program> Factory { get; }

    public HttpClient Client { get; }

    public void Dispose()
    {
        Client.Dispose();
        Factory.Dispose();
        File.Delete(ModelPath);
    }
}
