// The README's C# example, compiled with exactly the README's `using` lines: this file's namespace is outside
// Singer.Recommendation, so nothing else of the library is in scope (ReadmeExampleTests checks both).
using Singer.Recommendation;

namespace ReadmeExample;

internal static class Example
{
    // README example: begin
    public static TrainingReport Run()
    {
        InteractionDataset dataset = SyntheticDataGenerator.Generate();   // or MmrecDatasetLoader.Load("data/ml100k")

        using SingerModel model = new SingerModelBuilder()
            .WithDataset(dataset)
            .UseSemanticGraph(k: 20, coInteractionK: 10, beta: 0.3f)
            .UseBehaviorEncoder(layers: 2)
            .UseSemanticEncoder(layers: 2)
            .UsePerturbation(epsilon: 0.2f, weight: 0.1f)
            .UseAlignment(anchorWeight: 0.1f, standardWeight: 0f, temperature: 0.1f)
            .WithTraining(t => t.LearningRate(1e-3).BatchSize(2048).MaxEpochs(1000).Patience(20).L2Weight(1e-3).NegativeCandidates(8))
            .OnDevice(ComputeDevice.Cpu)
            .WithSeed(42)
            .Build();

        TrainingReport report = model.Fit();
        Console.WriteLine(report.Test);   // Recall, NDCG, Precision, MAP, HitRate at 5, 10, 20, 50
        return report;
    }
    // README example: end
}
