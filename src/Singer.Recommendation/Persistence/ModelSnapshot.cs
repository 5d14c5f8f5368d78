using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;

namespace Singer.Recommendation;

/// <summary>
/// What a model file holds, as plain data: <see cref="ModelFile"/> writes and reads this record, never a
/// <see cref="SingerModel"/>, which converts to it (<see cref="SingerModel.ToSnapshot"/>) and from it
/// (<see cref="SingerModel.FromSnapshot"/>).
/// </summary>
/// <param name="Model">"SINGER", or "LightGCN" when the semantic branch is off.</param>
/// <param name="Dataset">The ids, the training interactions and the features of the semantic branch's modalities (a loaded snapshot has no validation or test interactions).</param>
/// <param name="Options">The resolved options.</param>
/// <param name="Graph">The semantic graph (its raw parts are stored); null for LightGCN.</param>
/// <param name="Weights">The parameters in TorchSharp's <c>Module.save</c> format.</param>
internal sealed record ModelSnapshot(string Model, InteractionDataset Dataset, SingerModelOptions Options, SemanticGraph? Graph, byte[] Weights);
