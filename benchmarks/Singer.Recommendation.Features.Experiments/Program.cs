// Feature-encoder experiments (docs/features.md).
//
//   ml100k-text  --data <ml100k folder> --out <folder>   encodes movie_names.txt into <out>/text_feat.npy and links
//                                                        <out>/ml100k.inter and <out>/genre_feat.npy to the originals
//   text-speed   --data <ml100k folder> [--repeat N] [--batches 1,8,32,128] [--words N] [--threads N]
//                                                        titles (or N-word texts made of title words) per second
//   image-speed  [--count N] [--size WxH] [--keep folder] images per second on generated JPEG files (kept in --keep)
//   image-dump   --out <file.txt> <image> ...             one line of 512 features per image (to compare with ML.NET)
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Singer.Recommendation;
using Singer.Recommendation.Features;
using SkiaSharp;

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 1; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

string Get(string key, string? fallback = null) =>
    options.TryGetValue(key, out var v) ? v : fallback ?? throw new ArgumentException($"--{key} is required.");

switch (args.Length > 0 ? args[0] : "help")
{
    case "ml100k-text":
        {
            string data = Get("data");
            string outDir = Get("out");
            string[] titles = MovieTitles.Read(Path.Combine(data, "movie_names.txt"));
            var load = Stopwatch.StartNew();
            using var encoder = new TextFeatureEncoder();
            double loadSeconds = load.Elapsed.TotalSeconds;
            var run = Stopwatch.StartNew();
            ItemModality text = encoder.Encode(titles);
            double seconds = run.Elapsed.TotalSeconds;
            Directory.CreateDirectory(outDir);
            NpyFile.Write(Path.Combine(outDir, "text_feat.npy"), text);
            foreach (string name in new[] { "ml100k.inter", "genre_feat.npy" })
            {
                string link = Path.Combine(outDir, name);
                if (File.Exists(link) || Directory.Exists(link))
                {
                    File.Delete(link);
                }

                File.CreateSymbolicLink(link, Path.GetFullPath(Path.Combine(data, name)));
            }

            Console.WriteLine(FormattableString.Invariant(
                $"ml100k-text: {titles.Length} titles -> {outDir}/text_feat.npy ({text.ItemCount} x {text.Dimension}); model load {loadSeconds:F2} s, encoding {seconds:F2} s ({titles.Length / seconds:F0} titles/s)"));
            return 0;
        }

    case "text-speed":
        {
            string[] titles = MovieTitles.Read(Path.Combine(Get("data"), "movie_names.txt"));
            int repeat = int.Parse(Get("repeat", "3"), CultureInfo.InvariantCulture);
            int words = int.Parse(Get("words", "0"), CultureInfo.InvariantCulture);
            int[] batches = Get("batches", "1,8,32,128").Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray();
            int threads = int.Parse(Get("threads", "0"), CultureInfo.InvariantCulture);
            string unit = "titles";
            if (words > 0)
            {
                // Description-like texts: each item's title followed by the next titles until it has `words` words.
                var all = titles.SelectMany(t => t.Split(' ')).ToArray();
                titles = Enumerable.Range(0, Math.Min(titles.Length, 256))
                    .Select(i => string.Join(' ', Enumerable.Range(0, words).Select(w => all[((i * 7) + w) % all.Length])))
                    .ToArray();
                unit = $"{words}-word texts";
            }

            foreach (int batch in batches)
            {
                using var encoder = new TextFeatureEncoder(new TextEncoderOptions { BatchSize = batch, IntraOpThreads = threads });
                encoder.Encode(titles.Take(64).ToArray());   // warm-up
                var times = new List<double>();
                for (int r = 0; r < repeat; r++)
                {
                    var sw = Stopwatch.StartNew();
                    encoder.Encode(titles);
                    times.Add(sw.Elapsed.TotalSeconds);
                }

                double median = times.Order().ElementAt(times.Count / 2);
                Console.WriteLine(FormattableString.Invariant(
                    $"text-speed: batch {batch,3}, threads {threads}: {titles.Length} {unit} in {median:F2} s (median of {repeat}) = {titles.Length / median:F1} {unit}/s"));
            }

            return 0;
        }

    case "image-speed":
        {
            int count = int.Parse(Get("count", "64"), CultureInfo.InvariantCulture);
            var size = Get("size", "500x375").Split('x').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            string? keep = options.GetValueOrDefault("keep");
            string dir = keep ?? Directory.CreateTempSubdirectory("singer-image-speed-").FullName;
            Directory.CreateDirectory(dir);
            try
            {
                var paths = new string[count];
                var random = new Random(7);
                for (int i = 0; i < count; i++)
                {
                    paths[i] = Path.Combine(dir, $"{i}.jpg");
                    using var bitmap = new SKBitmap(size[0], size[1]);
                    using (var canvas = new SKCanvas(bitmap))
                    {
                        canvas.Clear(new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
                        using var paint = new SKPaint { Color = new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)), IsAntialias = true };
                        canvas.DrawCircle(random.Next(size[0]), random.Next(size[1]), size[1] / 4f, paint);
                    }

                    using var file = File.Create(paths[i]);
                    bitmap.Encode(file, SKEncodedImageFormat.Jpeg, 90);
                }

                var load = Stopwatch.StartNew();
                using var encoder = new ImageFeatureEncoder();
                double loadSeconds = load.Elapsed.TotalSeconds;
                encoder.Encode(paths.Take(4).ToArray());   // warm-up
                var sw = Stopwatch.StartNew();
                var result = encoder.Encode(paths);
                double seconds = sw.Elapsed.TotalSeconds;
                Console.WriteLine(FormattableString.Invariant(
                    $"image-speed: {count} JPEG {size[0]}x{size[1]} images in {seconds:F2} s = {count / seconds:F1} images/s ({result.Failures.Count} failures); model load {loadSeconds:F2} s"));
            }
            finally
            {
                if (keep is null)
                {
                    Directory.Delete(dir, recursive: true);
                }
            }

            return 0;
        }

    case "image-dump":
        {
            string outFile = Get("out");
            string[] paths = args.Skip(3).ToArray();
            using var encoder = new ImageFeatureEncoder();
            var result = encoder.Encode(paths);
            using var writer = new StreamWriter(outFile);
            for (int i = 0; i < paths.Length; i++)
            {
                writer.WriteLine(string.Join(' ', result.Modality.Row(i).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
            }

            Console.WriteLine($"image-dump: {paths.Length} images -> {outFile} ({result.Failures.Count} failures)");
            return 0;
        }

    default:
        Console.WriteLine("usage: ml100k-text --data <folder> --out <folder> | text-speed --data <folder> [--repeat N] [--batches 1,8,32,128] [--words N] [--threads N] | image-speed [--count N] [--size WxH] [--keep folder] | image-dump --out <file> <image> ...");
        return args.Length == 0 || args[0] is "help" or "--help" ? 0 : 2;
}

internal static partial class MovieTitles
{
    // movie_names.txt: "{id} {'Title (Year)'}" (or "{\"Title\"}" where the title has an apostrophe), row i = item i.
    public static string[] Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        var titles = new string[lines.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            var m = Line().Match(lines[i]);
            if (!m.Success || int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) != i)
            {
                throw new FormatException($"Line {i + 1} of {path}: expected \"{{{i}}} {{'Title (Year)'}}\", found \"{lines[i]}\".");
            }

            titles[i] = m.Groups[2].Value;
        }

        return titles;
    }

    [GeneratedRegex("""^\{(\d+)\} \{['"](.*)['"]\}$""")]
    private static partial Regex Line();
}
