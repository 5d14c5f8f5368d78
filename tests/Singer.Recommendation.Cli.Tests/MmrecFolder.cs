using System.Globalization;
using System.Text;
using Singer.Recommendation.Core;

namespace Singer.Recommendation.Cli.Tests;

/// <summary>A temporary MMRec folder (<c>&lt;name&gt;.inter</c> + <c>&lt;modality&gt;_feat.npy</c>) written from a synthetic data set; deleted on dispose.</summary>
public sealed class MmrecFolder : IDisposable
{
    public MmrecFolder(SyntheticDataOptions options, string name = "synthetic")
    {
        Path = Directory.CreateTempSubdirectory("singer-cli-").FullName;
        Write(SyntheticDataGenerator.Generate(options), Path, name);
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="data"/> in the MMRec layout. Users and items are renumbered by index; feature rows stop at the largest item with an interaction, as the loader counts items.</summary>
    public static void Write(InteractionDataset data, string folder, string name)
    {
        var sb = new StringBuilder("userID\titemID\trating\ttimestamp\tx_label\n");
        int maxItem = -1;
        foreach (var (split, label) in new[] { (data.Train, 0), (data.Validation, 1), (data.Test, 2) })
        {
            for (int u = 0; u < split.UserCount; u++)
            {
                foreach (int i in split.ItemsOf(u))
                {
                    sb.Append(CultureInfo.InvariantCulture, $"{u}\t{i}\t5\t0\t{label}\n");
                    maxItem = Math.Max(maxItem, i);
                }
            }
        }

        File.WriteAllText(System.IO.Path.Combine(folder, name + ".inter"), sb.ToString());
        foreach (var m in data.Modalities)
        {
            NpyFile.Write(System.IO.Path.Combine(folder, m.Name + "_feat.npy"), maxItem + 1, m.Dimension, m.Values[..((maxItem + 1) * m.Dimension)]);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
