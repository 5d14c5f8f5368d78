using System.Globalization;

namespace Singer.QuickStart;

/// <summary>The quick start's command line.</summary>
internal sealed record QuickStartOptions
{
    public const string Usage = """
        Singer.QuickStart — trains SINGER and LightGCN and compares them with MostPopular.

          --data <folder>    an MMRec data folder (<name>.inter + *_feat.npy); default: the embedded synthetic data
          --epochs <n>       the most training epochs per model (early stopping usually ends sooner); default 200
          --device <d>       cpu, cuda, cuda:N or auto; default: SINGER_DEVICE, else cpu
          --verbose          log every epoch
          --help             this text
        """;

    public string? DataFolder { get; init; }

    public int Epochs { get; init; } = 200;

    public string? Device { get; init; }

    public bool Verbose { get; init; }

    public bool Help { get; init; }

    /// <summary>Parses the arguments; prints the problem and returns null when they are wrong.</summary>
    public static QuickStartOptions? Parse(string[] args)
    {
        var o = new QuickStartOptions();
        for (int a = 0; a < args.Length; a++)
        {
            string? Next() => a + 1 < args.Length ? args[++a] : null;
            switch (args[a])
            {
                case "--data":
                    o = o with { DataFolder = Next() ?? Fail("--data needs a folder") };
                    break;
                case "--epochs":
                    string? text = Next();
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int epochs) || epochs < 1)
                    {
                        Console.Error.WriteLine($"--epochs needs a positive whole number; got '{text}'.");
                        return null;
                    }

                    o = o with { Epochs = epochs };
                    break;
                case "--device":
                    o = o with { Device = Next() ?? Fail("--device needs cpu, cuda, cuda:N or auto") };
                    break;
                case "--verbose":
                    o = o with { Verbose = true };
                    break;
                case "-h" or "--help":
                    o = o with { Help = true };
                    break;
                default:
                    Console.Error.WriteLine($"Unknown argument '{args[a]}'.\n{Usage}");
                    return null;
            }

            if (o.DataFolder == "" || o.Device == "")
            {
                return null;
            }
        }

        return o;
    }

    private static string Fail(string message)
    {
        Console.Error.WriteLine(message + ".");
        return "";
    }
}
