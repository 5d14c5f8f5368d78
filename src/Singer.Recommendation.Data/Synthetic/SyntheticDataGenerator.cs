using System.Globalization;
using MathNet.Numerics.Distributions;

namespace Singer.Recommendation;

/// <summary>Options of <see cref="SyntheticDataGenerator"/>; the defaults make the embedded default data set.</summary>
public sealed record SyntheticDataOptions
{
    /// <summary>Number of users; default 2,000.</summary>
    public int Users { get; init; } = 2_000;

    /// <summary>Number of items; default 1,000.</summary>
    public int Items { get; init; } = 1_000;

    /// <summary>Target number of interactions (the result is within a few percent); default 40,000.</summary>
    public int Interactions { get; init; } = 40_000;

    /// <summary>Number of latent item clusters (tastes); default 20.</summary>
    public int Clusters { get; init; } = 20;

    /// <summary>Zipf exponent of item popularity; default 0.9.</summary>
    public double PopularityExponent { get; init; } = 0.9;

    /// <summary>Dirichlet concentration of each user's taste over clusters (smaller = more focused); default 0.15.</summary>
    public double TasteConcentration { get; init; } = 0.15;

    /// <summary>Share of a user's interactions drawn by popularity alone, ignoring taste; default 0.15.</summary>
    public double NoiseShare { get; init; } = 0.15;

    /// <summary>Dimension of the informative modality <c>image</c>; default 64.</summary>
    public int ImageDimension { get; init; } = 64;

    /// <summary>Dimension of the weak modality <c>text</c>; default 32.</summary>
    public int TextDimension { get; init; } = 32;

    /// <summary>Noise of the informative modality relative to its cluster signal; default 0.6.</summary>
    public double ImageNoise { get; init; } = 0.6;

    /// <summary>Noise of the weak modality relative to its cluster signal; default 3.0.</summary>
    public double TextNoise { get; init; } = 3.0;

    /// <summary>The seed of everything; default 42.</summary>
    public int Seed { get; init; } = 42;
}

/// <summary>
/// Generates a seeded synthetic multimodal data set with real signal: items belong to latent clusters and have
/// power-law popularity; each user has a focused taste over clusters and picks items of liked clusters by
/// popularity; two modalities are noisy views of the item clusters — <c>image</c> informative, <c>text</c> weak —
/// so a model that uses features can beat one that does not. The result is split by <see cref="DatasetSplitter"/>.
/// This is the embedded default data of the quick start.
/// </summary>
public static class SyntheticDataGenerator
{
    /// <summary>Generates the data set. The same options give the same data set, bit for bit.</summary>
    /// <exception cref="ArgumentException">An option is out of range (all problems are listed).</exception>
    public static InteractionDataset Generate(SyntheticDataOptions? options = null)
    {
        options ??= new SyntheticDataOptions();
        Validate(options);
        var random = new Random(options.Seed);
        int users = options.Users, items = options.Items, clusters = options.Clusters;

        // Items: a cluster each, and a Zipf popularity weight over a random popularity order.
        var clusterOf = new int[items];
        for (int i = 0; i < items; i++)
        {
            clusterOf[i] = random.Next(clusters);
        }

        var rank = Enumerable.Range(0, items).ToArray();
        random.Shuffle(rank);
        var weight = new double[items];
        for (int i = 0; i < items; i++)
        {
            weight[i] = 1.0 / Math.Pow(rank[i] + 1, options.PopularityExponent);
        }

        var members = Enumerable.Range(0, clusters).Select(c => Enumerable.Range(0, items).Where(i => clusterOf[i] == c).ToArray()).ToArray();
        var memberSamplers = members.Select(m => m.Length == 0 ? null : new AliasSampler(m.Select(i => weight[i]).ToArray())).ToArray();
        var globalSampler = new AliasSampler(weight);

        // Users: a focused taste over clusters and a log-normal activity.
        var dirichlet = new Dirichlet(Enumerable.Repeat(options.TasteConcentration, clusters).ToArray(), random);
        double mean = (double)options.Interactions / users;
        const double sigma = 0.6;
        var activity = new LogNormal(Math.Log(mean) - (sigma * sigma / 2), sigma, random);
        var userList = new List<int>(options.Interactions);
        var itemList = new List<int>(options.Interactions);
        var seen = new HashSet<int>();
        int cap = Math.Max(5, items / 2);
        for (int u = 0; u < users; u++)
        {
            var taste = dirichlet.Sample();
            var tasteSampler = new AliasSampler(taste.Select((t, c) => members[c].Length == 0 ? 0 : t + 1e-12).ToArray());
            int n = Math.Clamp((int)Math.Round(activity.Sample()), 5, cap);
            seen.Clear();
            for (int attempt = 0; seen.Count < n && attempt < n * 20; attempt++)
            {
                int item;
                if (random.NextDouble() < options.NoiseShare)
                {
                    item = globalSampler.Sample(random);
                }
                else
                {
                    int c = tasteSampler.Sample(random);
                    item = members[c][memberSamplers[c]!.Sample(random)];
                }

                if (seen.Add(item))
                {
                    userList.Add(u);
                    itemList.Add(item);
                }
            }
        }

        var image = Modality("image", clusterOf, clusters, options.ImageDimension, 1.0, options.ImageNoise, random);
        var text = Modality("text", clusterOf, clusters, options.TextDimension, 1.0, options.TextNoise, random);

        var split = DatasetSplitter.Assign(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(userList), users, options.Seed);
        var parts = new UserItemMatrix[3];
        for (int s = 0; s < 3; s++)
        {
            var su = new List<int>();
            var si = new List<int>();
            for (int n = 0; n < split.Length; n++)
            {
                if ((int)split[n] == s)
                {
                    su.Add(userList[n]);
                    si.Add(itemList[n]);
                }
            }

            parts[s] = UserItemMatrix.FromPairs(users, items, su.ToArray(), si.ToArray());
        }

        var userIds = new IdMap(Enumerable.Range(0, users).Select(u => "u" + u.ToString("D5", CultureInfo.InvariantCulture)));
        var itemIds = new IdMap(Enumerable.Range(0, items).Select(i => "i" + i.ToString("D5", CultureInfo.InvariantCulture)));
        return new InteractionDataset("synthetic", userIds, itemIds, parts[0], parts[1], parts[2], [image, text]);
    }

    /// <summary>The latent cluster of each item, for tests and demonstrations (recomputed from the same seed).</summary>
    public static int[] ItemClusters(SyntheticDataOptions? options = null)
    {
        options ??= new SyntheticDataOptions();
        Validate(options);
        var random = new Random(options.Seed);
        var clusterOf = new int[options.Items];
        for (int i = 0; i < clusterOf.Length; i++)
        {
            clusterOf[i] = random.Next(options.Clusters);
        }

        return clusterOf;
    }

    private static ItemModality Modality(string name, int[] clusterOf, int clusters, int dimension, double signal, double noise, Random random)
    {
        var normal = new Normal(0, 1, random);
        var centroids = new double[clusters * dimension];
        for (int j = 0; j < centroids.Length; j++)
        {
            centroids[j] = normal.Sample();
        }

        var data = new float[clusterOf.Length * dimension];
        for (int i = 0; i < clusterOf.Length; i++)
        {
            for (int j = 0; j < dimension; j++)
            {
                data[(i * dimension) + j] = (float)((signal * centroids[(clusterOf[i] * dimension) + j]) + (noise * normal.Sample()));
            }
        }

        return new ItemModality(name, clusterOf.Length, dimension, data, takeOwnership: true);
    }

    private static void Validate(SyntheticDataOptions options)
    {
        var o = options;
        var problems = new List<string>();
        if (o.Users < 1) problems.Add($"{nameof(o.Users)} must be ≥ 1 (got {o.Users}).");
        if (o.Items < 10) problems.Add($"{nameof(o.Items)} must be ≥ 10 (got {o.Items}).");
        if (o.Interactions < o.Users * 5) problems.Add($"{nameof(o.Interactions)} must be ≥ 5 × {nameof(o.Users)} (got {o.Interactions}).");
        if (o.Clusters < 1 || o.Clusters > o.Items) problems.Add($"{nameof(o.Clusters)} must be in [1, {nameof(o.Items)}] (got {o.Clusters}).");
        if (!(o.PopularityExponent >= 0)) problems.Add($"{nameof(o.PopularityExponent)} must be ≥ 0 (got {o.PopularityExponent}).");
        if (!(o.TasteConcentration > 0)) problems.Add($"{nameof(o.TasteConcentration)} must be > 0 (got {o.TasteConcentration}).");
        if (!(o.NoiseShare is >= 0 and <= 1)) problems.Add($"{nameof(o.NoiseShare)} must be in [0, 1] (got {o.NoiseShare}).");
        if (o.ImageDimension < 1) problems.Add($"{nameof(o.ImageDimension)} must be ≥ 1 (got {o.ImageDimension}).");
        if (o.TextDimension < 1) problems.Add($"{nameof(o.TextDimension)} must be ≥ 1 (got {o.TextDimension}).");
        if (!(o.ImageNoise >= 0)) problems.Add($"{nameof(o.ImageNoise)} must be ≥ 0 (got {o.ImageNoise}).");
        if (!(o.TextNoise >= 0)) problems.Add($"{nameof(o.TextNoise)} must be ≥ 0 (got {o.TextNoise}).");
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid synthetic data options: " + string.Join(" ", problems), nameof(options));
        }
    }

    /// <summary>Walker's alias method: O(1) sampling from a fixed discrete distribution.</summary>
    private sealed class AliasSampler
    {
        private readonly double[] _probability;
        private readonly int[] _alias;

        public AliasSampler(double[] weights)
        {
            int n = weights.Length;
            double total = weights.Sum();
            _probability = new double[n];
            _alias = new int[n];
            var scaled = weights.Select(w => w * n / total).ToArray();
            var small = new Stack<int>();
            var large = new Stack<int>();
            for (int i = n - 1; i >= 0; i--)
            {
                (scaled[i] < 1 ? small : large).Push(i);
            }

            while (small.Count > 0 && large.Count > 0)
            {
                int s = small.Pop(), l = large.Pop();
                _probability[s] = scaled[s];
                _alias[s] = l;
                scaled[l] = scaled[l] + scaled[s] - 1;
                (scaled[l] < 1 ? small : large).Push(l);
            }

            while (large.Count > 0)
            {
                _probability[large.Pop()] = 1;
            }

            while (small.Count > 0)
            {
                _probability[small.Pop()] = 1;
            }
        }

        public int Sample(Random random)
        {
            int i = random.Next(_probability.Length);
            return random.NextDouble() < _probability[i] ? i : _alias[i];
        }
    }
}
