using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Singer.Recommendation.Core;
using static TorchSharp.torch;

namespace Singer.Recommendation;

/// <summary>Where and how often <see cref="SingerModel.Fit(CheckpointOptions, IProgress{EpochReport}?, CancellationToken)"/> writes checkpoints.</summary>
/// <param name="Path">The checkpoint file. It is a model file holding the best model so far (<see cref="SingerModel.Load(string, ComputeDevice?, Microsoft.Extensions.Logging.ILogger?)"/> reads it) plus the training state.</param>
public sealed record CheckpointOptions(string Path)
{
    /// <summary>Write a checkpoint after every this many epochs; default 1.</summary>
    public int EveryEpochs { get; init; } = 1;

    /// <summary>When the file exists, continue from it (the default); false starts over and overwrites it.</summary>
    public bool Resume { get; init; } = true;
}

/// <summary>
/// The training state stored in a checkpoint next to the best model: the epoch reached, the early-stopping counters,
/// the epoch history, the current parameters and Adam's moments. Each epoch's randomness depends only on the seed and
/// the epoch number, so resuming repeats the uninterrupted run exactly (on the CPU).
/// </summary>
internal static class TrainingCheckpoint
{
    private const string StateEntry = "training/state.json";
    private const string CurrentEntry = "training/current.bin";
    private const string AdamEntry = "training/adam.bin";

    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    internal sealed record EpochRecord(int Epoch, LossBreakdown Loss, int? ValidationUsers, IReadOnlyList<RankingMetrics>? Validation, double TrainSeconds, double EvaluationSeconds, bool IsBest, EpochDiagnostics? Diagnostics = null);

    internal sealed record State(
        int Epoch,
        int BestEpoch,
        double BestScore,
        int SinceBest,
        long AdamSteps,
        string DatasetName,
        int UserCount,
        int ItemCount,
        int TrainInteractions,
        IReadOnlyList<EpochRecord> Epochs);

    internal sealed record Restored(State State, IReadOnlyList<EpochReport> Epochs, EvaluationResult? BestValidation, Dictionary<string, Tensor> Current, byte[] BestWeights, List<Tensor> Adam);

    public static byte[][] Extras(State state, IReadOnlyList<(string Name, Tensor Value)> current, IReadOnlyList<Tensor> adam) =>
    [
        JsonSerializer.SerializeToUtf8Bytes(state, Json),
        WriteTensors(current),
        WriteTensors(adam.Select((t, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), t)).ToArray()),
    ];

    public static IReadOnlyList<(string Name, byte[] Bytes)> Entries(byte[][] extras) =>
        [(StateEntry, extras[0]), (CurrentEntry, extras[1]), (AdamEntry, extras[2])];

    public static State ToState(int epoch, int bestEpoch, double bestScore, int sinceBest, long adamSteps, InteractionDataset data, IReadOnlyList<EpochReport> epochs) =>
        new(epoch, bestEpoch, bestScore, sinceBest, adamSteps, data.Name, data.UserCount, data.ItemCount, data.Train.Count,
            epochs.Select(e => new EpochRecord(e.Epoch, e.Loss, e.Validation?.UserCount, e.Validation?.ByK, e.TrainSeconds, e.EvaluationSeconds, e.IsBest, e.Diagnostics)).ToArray());

    /// <summary>Reads a checkpoint written for the same data set and options; tensors are created on <paramref name="device"/>.</summary>
    public static Restored Read(string path, SingerModel model, Device device)
    {
        ModelFile.Contents contents;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            contents = ModelFile.Read(stream, path);
        }

        // The stopping rules may change between runs (for example more epochs); everything that shapes the
        // trajectory must be the same.
        var stored = contents.Snapshot.Options with { Training = contents.Snapshot.Options.Training with { MaxEpochs = model.Options.Training.MaxEpochs, Patience = model.Options.Training.Patience } };
        if (stored != model.Options)
        {
            throw new IncompatibleModelFileException(path, "the checkpoint was written with other options than this model's (only MaxEpochs and Patience may differ); resume with the same configuration, or start over with CheckpointOptions.Resume = false.");
        }

        byte[] Need(string name) => contents.Entries.TryGetValue(name, out var b)
            ? b
            : throw new CorruptModelFileException(path, $"the entry '{name}' is missing: this is a model file, not a training checkpoint.", name);

        State state;
        try
        {
            state = JsonSerializer.Deserialize<State>(Need(StateEntry), Json) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new CorruptModelFileException(path, "the training state cannot be read.", StateEntry, e);
        }

        var data = model.Dataset;
        if (state.UserCount != data.UserCount || state.ItemCount != data.ItemCount || state.TrainInteractions != data.Train.Count || state.DatasetName != data.Name)
        {
            throw new IncompatibleModelFileException(path,
                $"the checkpoint was written for data set '{state.DatasetName}' ({state.UserCount} users, {state.ItemCount} items, {state.TrainInteractions} training interactions), not '{data.Name}' ({data.UserCount}, {data.ItemCount}, {data.Train.Count}).");
        }

        var epochs = state.Epochs.Select(e => new EpochReport(
            e.Epoch,
            e.Loss,
            e.Validation is null ? null : new EvaluationResult(DataSplit.Validation, e.ValidationUsers ?? 0, e.Validation),
            e.TrainSeconds,
            e.EvaluationSeconds,
            e.IsBest) { Diagnostics = e.Diagnostics }).ToList();
        var bestValidation = epochs.LastOrDefault(e => e.IsBest)?.Validation;
        var current = ReadTensors(Need(CurrentEntry), path, CurrentEntry, device);
        var adam = ReadTensors(Need(AdamEntry), path, AdamEntry, device).OrderBy(kv => int.Parse(kv.Key, System.Globalization.CultureInfo.InvariantCulture)).Select(kv => kv.Value).ToList();
        return new Restored(state, epochs, bestValidation, current, contents.Snapshot.Weights, adam);
    }

    private static byte[] WriteTensors(IReadOnlyList<(string Name, Tensor Value)> tensors)
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms, Encoding.UTF8);
        w.Write(0x53544231); // "STB1"
        w.Write(tensors.Count);
        foreach (var (name, value) in tensors)
        {
            using var cpu = value.detach().cpu().contiguous();
            w.Write(name);
            w.Write(cpu.shape.Length);
            foreach (long d in cpu.shape)
            {
                w.Write(d);
            }

            var data = cpu.data<float>().ToArray();
            var bytes = new byte[data.Length * 4];
            for (int i = 0; i < data.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), data[i]);
            }

            w.Write(bytes);
        }

        w.Flush();
        return ms.ToArray();
    }

    private static Dictionary<string, Tensor> ReadTensors(byte[] bytes, string path, string entry, Device device)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
            if (r.ReadInt32() != 0x53544231)
            {
                throw new InvalidDataException("bad header");
            }

            int count = r.ReadInt32();
            for (int t = 0; t < count; t++)
            {
                string name = r.ReadString();
                int rank = r.ReadInt32();
                if (rank is < 0 or > 8)
                {
                    throw new InvalidDataException($"tensor '{name}' declares {rank} dimensions");
                }

                var shape = new long[rank];
                long n = 1;
                for (int d = 0; d < rank; d++)
                {
                    shape[d] = r.ReadInt64();
                    if (shape[d] < 0)
                    {
                        throw new InvalidDataException($"tensor '{name}' has the negative dimension {shape[d]}");
                    }

                    n = checked(n * shape[d]);
                }

                // Checked before allocating: the values must fit in the entry's bytes.
                if (n > bytes.Length / 4)
                {
                    throw new InvalidDataException($"tensor '{name}' declares {n} values");
                }

                var raw = r.ReadBytes(checked((int)(n * 4)));
                var values = new float[n];
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(i * 4));
                }

                using var cpu = tensor(values, shape);
                result[name] = cpu.to(device).DetachFromDisposeScope();
            }
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or OverflowException or ArgumentException)
        {
            foreach (var t in result.Values)
            {
                t.Dispose();
            }

            throw new CorruptModelFileException(path, $"'{entry}' cannot be read ({e.Message}).", entry, e);
        }

        return result;
    }
}
