using System.Text;
using Singer.Recommendation.Data.Tests.Helpers;

namespace Singer.Recommendation.Data.Tests.BadInputs;

/// <summary>The corpus of malformed inputs (docs/data.md, "Errors"): .npy files, MMRec folders and CSV/TSV files.</summary>
internal static class BadInputCorpus
{
    private const string Header = "userID\titemID\trating\ttimestamp\tx_label\n";

    public static IReadOnlyDictionary<string, BadInputCase> Cases { get; } = Build().ToDictionary(c => c.Name, StringComparer.Ordinal);

    private static IEnumerable<BadInputCase> Build()
    {
        // ---- .npy feature files (read directly) ----
        var good = NpyBytes.Float32(2, 3, [1, 2, 3, 4, 5, 6]);
        yield return Npy("npy-truncated", good[..^4], "the header declares shape (2, 3) of <f4 = 24 data bytes, but the file holds 20");
        yield return Npy("npy-trailing-bytes", [.. good, 0, 0, 0, 0], "= 24 data bytes, but the file holds 28");
        yield return Npy("npy-empty-file", [], "the file is empty; expected a NumPy .npy file");
        yield return Npy("npy-wrong-magic", [(byte)'X', .. good[1..]], "the magic string \\x93NUMPY is missing");
        yield return Npy("npy-text-file", Encoding.ASCII.GetBytes("userID\titemID\n"), "the magic string \\x93NUMPY is missing");
        yield return Npy("npy-version-4", [.. good[..6], 4, 0, .. good[8..]], ".npy format version 4.0 is not supported");
        yield return Npy("npy-float16", [.. NpyBytes.Header(NpyBytes.Dict("<f2", "(2, 2)")), .. new byte[8]], "dtype '<f2' is not supported");
        yield return Npy("npy-big-endian", [.. NpyBytes.Header(NpyBytes.Dict(">f4", "(2, 2)")), .. new byte[16]], "dtype '>f4' is not supported");
        yield return Npy("npy-int64", [.. NpyBytes.Header(NpyBytes.Dict("<i8", "(2, 2)")), .. new byte[32]], "dtype '<i8' is not supported");
        yield return Npy("npy-fortran-order", [.. NpyBytes.Header(NpyBytes.Dict("<f4", "(2, 2)", fortran: true)), .. new byte[16]], "stored in Fortran (column-major) order");
        yield return Npy("npy-3d", [.. NpyBytes.Header(NpyBytes.Dict("<f4", "(2, 2, 2)")), .. new byte[32]], "the array has 3 dimensions (shape (2, 2, 2)); item features must be a 2-D matrix");
        yield return Npy("npy-1d", [.. NpyBytes.Header(NpyBytes.Dict("<f4", "(4,)")), .. new byte[16]], "the array has 1 dimension (shape (4,))");
        yield return Npy("npy-zero-columns", NpyBytes.Header(NpyBytes.Dict("<f4", "(3, 0)")), "shape (3, 0) has no feature columns");
        yield return Npy("npy-negative-shape", NpyBytes.Header(NpyBytes.Dict("<f4", "(-1, 3)")), "shape '(-1, 3)' is not a tuple of non-negative integers");
        yield return Npy("npy-header-without-shape", [.. NpyBytes.Header("{'descr': '<f4', 'fortran_order': False, }"), .. new byte[16]], "the header has no valid 'shape' entry");
        yield return Npy("npy-header-not-a-dict", [.. NpyBytes.Header("descr=<f4 shape=(2,2)"), .. new byte[16]], "the header is not a NumPy header dictionary");
        // Version 2.0 with a 4-byte header length of 0xFFFFFFF0 in a 112-byte file.
        yield return Npy("npy-header-length-beyond-file", [.. good[..6], 2, 0, 0xF0, 0xFF, 0xFF, 0xFF, .. new byte[100]],
            "the header claims 4,294,967,280 bytes, more than the file format allows here");
        yield return Npy("npy-v3-header-not-utf8", [.. NpyBytes.Header(NpyBytes.Dict("<f4", "(1, 1)"), major: 3).Select(b => b == (byte)'d' ? (byte)0xC3 : b), 0, 0, 0, 0], "the header is not valid UTF-8");

        // 10^12 rows × 4 columns declared in a 1 KB file: must fail before allocating the 16 TB matrix.
        byte[] huge = NpyBytes.Header(NpyBytes.Dict("<f4", "(1000000000000, 4)"));
        yield return Npy("npy-1e12-rows-in-1KB", [.. huge, .. new byte[1024 - huge.Length]],
            "the header declares shape (1000000000000, 4) of <f4 = 16,000,000,000,000 data bytes, but the file holds 896");
        yield return Npy("npy-shape-overflows-64-bits", NpyBytes.Header(NpyBytes.Dict("<f8", "(9223372036854775807, 9223372036854775807)")),
            "the header declares shape (9223372036854775807, 9223372036854775807)");
        yield return new BadInputCase(
            "npy-stream-1e8-rows-no-data",
            _ => () => NpyFile.ReadMatrix(new NonSeekableStream(NpyBytes.Header(NpyBytes.Dict("<f4", "(100000000, 10)"))), "pipe_feat.npy"),
            typeof(NpyFormatException),
            "pipe_feat.npy",
            "the file ends inside this row (0 of 40 bytes)",
            Row: 0);

        yield return Npy("npy-nan", NpyBytes.Float32(2, 3, [1, 2, 3, 4, 5, float.NaN]), "row 1: column 2 is NaN; features must be finite", row: 1);
        yield return Npy("npy-float64-infinity", NpyBytes.Float64(2, 2, [1, double.PositiveInfinity, 3, 4]), "row 0: column 1 is infinite", row: 0);
        yield return Npy("npy-float64-overflows-float32", NpyBytes.Float64(3, 1, [1, 2, 1e300]), "row 2: column 0 is 1E+300, which overflows float32", row: 2);
        yield return new BadInputCase("npy-missing-file", d => () => NpyFile.ReadMatrix(d.File("absent_feat.npy")),
            typeof(FileNotFoundException), "absent_feat.npy", "Feature file not found");
        yield return new BadInputCase("npy-path-is-a-folder", d => { Directory.CreateDirectory(d.File("dir_feat.npy")); return () => NpyFile.ReadMatrix(d.File("dir_feat.npy")); },
            typeof(UnauthorizedAccessException), "dir_feat.npy", "is a folder, not a file");

        // ---- MMRec folders ----
        yield return Inter("inter-non-numeric-id", Header + "0\t1\t5\t0\t0\nabc\t2\t5\t0\t0\n", "userID 'abc' is not an integer; MMRec ids are 0-based integers", line: 3);
        yield return Inter("inter-negative-id", Header + "0\t-4\t5\t0\t0\n", "itemID -4 is negative", line: 2);
        yield return Inter("inter-id-overflows-int", Header + "0\t1\t5\t0\t0\n99999999999\t1\t5\t0\t0\n", "userID '99999999999' is not an integer", line: 3);
        yield return Inter("inter-huge-non-contiguous-id", Header + "0\t1\t5\t0\t0\n1\t2000000000\t5\t0\t2\n2\t3\t5\t0\t1\n", "itemID 2000000000 is far beyond the 3 interactions", line: 3);
        yield return Inter("inter-missing-column", "userID\titemID\trating\ttimestamp\n0\t1\t5\t0\n", "the header has no 'x_label' column", line: 1);
        yield return Inter("inter-comma-separated", "userID,itemID,rating,timestamp,x_label\n0,1,5,0,0\n", "the header has no 'userID' column; expected tab-separated", line: 1);
        yield return Inter("inter-empty-file", "", "the file is empty; expected the tab-separated header 'userID itemID rating timestamp x_label'");
        yield return Inter("inter-header-only", Header, "the file has a header but no interactions");
        yield return Inter("inter-unknown-split-label", Header + "0\t1\t5\t0\t0\n0\t2\t5\t0\t3\n", "x_label '3' is not a split label; use 0 (train), 1 (validation) or 2 (test)", line: 3);
        yield return Inter("inter-word-split-label", Header + "0\t1\t5\t0\ttrain\n", "x_label 'train' is not a split label", line: 2);
        yield return Inter("inter-duplicate-rejected", Header + "0\t1\t5\t0\t0\n1\t1\t5\t0\t0\n\n0\t1\t4\t9\t2\n", "the interaction (user, item) repeats line 2", line: 5);
        yield return Inter("inter-too-few-fields", Header + "0\t1\t5\t0\t0\n1\t2\n", "expected at least 5 tab-separated fields, found 2", line: 3);
        yield return Inter("inter-nul-bytes", Header + "0\t1\t5\t0\t0\n0\t2\0\0\0\n", "the line contains a NUL byte", line: 3);
        yield return Inter("inter-unclosed-quote", Header + "0\t1\t5\t0\t0\n\"0\t2\t5\t0\t0\n", "a quoted field is not closed on this line", line: 3);
        yield return new BadInputCase(
            "mmrec-feature-rows-differ-from-items",
            d =>
            {
                d.WriteText("ds.inter", Header + "0\t0\t5\t0\t0\n0\t3\t5\t0\t2\n");
                d.WriteBytes("image_feat.npy", NpyBytes.Float32(3, 2, new float[6]));
                return () => MmrecDatasetLoader.Load(d.Path);
            },
            typeof(DatasetConsistencyException),
            "image_feat.npy",
            Path.DirectorySeparatorChar + "ds.inter names 4 items (largest itemID + 1); feature rows must equal the item count");
        yield return new BadInputCase(
            "mmrec-nan-feature",
            d =>
            {
                d.WriteText("ds.inter", Header + "0\t0\t5\t0\t0\n0\t1\t5\t0\t2\n");
                d.WriteBytes("text_feat.npy", NpyBytes.Float32(2, 2, [0, 1, float.NaN, 1]));
                return () => MmrecDatasetLoader.Load(d.Path);
            },
            typeof(NpyFormatException),
            "text_feat.npy",
            "row 1: column 0 is NaN",
            Row: 1);
        yield return new BadInputCase("mmrec-missing-folder", d => () => MmrecDatasetLoader.Load(d.File("no-such-folder")),
            typeof(DirectoryNotFoundException), "no-such-folder", "MMRec data folder not found");
        yield return new BadInputCase("mmrec-no-inter-file", d => { d.WriteText("notes.txt", "x"); return () => MmrecDatasetLoader.Load(d.Path); },
            typeof(FileNotFoundException), ".inter", "has no .inter file");
        yield return new BadInputCase(
            "mmrec-two-inter-files",
            d =>
            {
                d.WriteText("a.inter", Header + "0\t0\t5\t0\t0\n");
                d.WriteText("b.inter", Header + "0\t0\t5\t0\t0\n");
                return () => MmrecDatasetLoader.Load(d.Path);
            },
            typeof(FileNotFoundException),
            "a.inter",
            "has 2 .inter files (a.inter, b.inter); set MmrecLoadOptions.Name to choose one");
        yield return new BadInputCase(
            "mmrec-named-inter-missing",
            d => { d.WriteText("a.inter", Header + "0\t0\t5\t0\t0\n"); return () => MmrecDatasetLoader.Load(d.Path, new MmrecLoadOptions { Name = "baby" }); },
            typeof(FileNotFoundException),
            "baby.inter",
            "Interaction file not found");
        yield return new BadInputCase(
            "mmrec-requested-modality-missing",
            d =>
            {
                d.WriteText("ds.inter", Header + "0\t0\t5\t0\t0\n");
                d.WriteBytes("text_feat.npy", NpyBytes.Float32(1, 2, [1, 2]));
                return () => MmrecDatasetLoader.Load(d.Path, new MmrecLoadOptions { Modalities = ["audio"] });
            },
            typeof(FileNotFoundException),
            "audio_feat.npy",
            "Modality 'audio' was requested but");
        yield return new BadInputCase(
            "mmrec-feature-file-is-a-folder",
            d =>
            {
                d.WriteText("ds.inter", Header + "0\t0\t5\t0\t0\n");
                Directory.CreateDirectory(d.File("text_feat.npy"));
                return () => MmrecDatasetLoader.Load(d.Path);
            },
            typeof(DataFormatException),
            "text_feat.npy",
            "a folder, not a file: the MMRec layout expects a .npy matrix of item features (row i = item i) here");
        yield return new BadInputCase(
            "mmrec-requested-modality-is-a-folder",
            d =>
            {
                d.WriteText("ds.inter", Header + "0\t0\t5\t0\t0\n");
                Directory.CreateDirectory(d.File("image_feat.npy"));
                return () => MmrecDatasetLoader.Load(d.Path, new MmrecLoadOptions { Modalities = ["image"] });
            },
            typeof(DataFormatException),
            "image_feat.npy",
            "a folder, not a file");
        yield return new BadInputCase(
            "mmrec-inter-file-is-a-folder",
            d => { Directory.CreateDirectory(d.File("ds.inter")); return () => MmrecDatasetLoader.Load(d.Path); },
            typeof(DataFormatException),
            "ds.inter",
            "a folder, not a file: the MMRec layout expects the tab-separated interaction file here");

        // ---- generic CSV / TSV ----
        yield return Csv("csv-missing-column", "user,product\nu1,i1\n", null, "the header has no column 'item' (ItemColumn); columns separated by ',': 'user', 'product'", line: 1);
        yield return Csv("csv-wrong-separator", "user;item\nu1;i1\n", null, "the header has no column 'user' (UserColumn); columns separated by ','", line: 1);
        yield return Csv("csv-empty-file", "", null, "the file is empty; expected a header row naming the columns");
        yield return Csv("csv-blank-lines-only", "\n\n   \n", null, "the file is empty");
        yield return Csv("csv-header-only", "user,item\n", null, "the file has no interactions after its header");
        yield return Csv("csv-unclosed-quote", "user,item\nu1,i1\n\"u2,i2\n", null, "a quoted field is not closed on this line", line: 3);
        yield return Csv("csv-too-few-fields", "user,item,rating\nu1,i1,5\nu2\n", null, "expected 3 fields separated by ',', found 1", line: 3);
        yield return Csv("csv-empty-id", "user,item\nu1,i1\n,i2\n", null, "the user field is empty", line: 3);
        yield return Csv("csv-non-numeric-rating", "user,item,rating\nu1,i1,five\n", new DelimitedLoadOptions { RatingColumn = "rating" }, "rating 'five' is not a number", line: 2);
        yield return Csv("csv-nan-rating", "user,item,rating\nu1,i1,NaN\n", new DelimitedLoadOptions { RatingColumn = "rating" }, "rating 'NaN' is not a number", line: 2);
        yield return Csv("csv-non-numeric-timestamp", "user,item,ts\nu1,i1,yesterday\n", new DelimitedLoadOptions { TimestampColumn = "ts" }, "ts 'yesterday' is not a number", line: 2);
        yield return Csv("csv-unknown-split-label", "user,item,split\nu1,i1,train\nu1,i2,holdout\n", new DelimitedLoadOptions { SplitColumn = "split" }, "split label 'holdout' in column 'split' is unknown; known labels:", line: 3);
        yield return Csv("csv-duplicate-rejected", "user,item\nu1,i1\nu2,i1\nu1,i1\n", null, "the interaction (user, item) repeats line 2", line: 4);
        yield return Csv("csv-all-below-min-rating", "user,item,rating\nu1,i1,1\nu2,i1,2\n", new DelimitedLoadOptions { RatingColumn = "rating", MinRating = 4 }, "all 2 rows have rating below MinRating 4");
        yield return Csv("csv-nul-bytes", "user,item\nu1,i\0\0\n", null, "the line contains a NUL byte", line: 2);
        yield return Csv("csv-line-too-long", "user,item\nu1," + new string('x', DelimitedLineReaderMax + 10) + "\n", null, "the line is longer than 1,048,576 characters", line: 2);
        yield return new BadInputCase("csv-missing-file", d => () => DelimitedDatasetLoader.Load(d.File("absent.csv")),
            typeof(FileNotFoundException), "absent.csv", "Interaction file not found");
        yield return new BadInputCase("csv-path-is-a-folder", d => { Directory.CreateDirectory(d.File("folder.csv")); return () => DelimitedDatasetLoader.Load(d.File("folder.csv")); },
            typeof(UnauthorizedAccessException), "folder.csv", "is a folder, not a file");
    }

    private const int DelimitedLineReaderMax = 1 << 20;

    private static BadInputCase Npy(string name, byte[] bytes, string fragment, long? row = null) => new(
        name,
        d => { string p = d.WriteBytes(name + "_feat.npy", bytes); return () => NpyFile.ReadMatrix(p); },
        typeof(NpyFormatException),
        name + "_feat.npy",
        fragment,
        Row: row);

    private static BadInputCase Inter(string name, string text, string fragment, long? line = null) => new(
        name,
        d => { d.WriteText(name + ".inter", text); return () => MmrecDatasetLoader.Load(d.Path); },
        typeof(DataFormatException),
        name + ".inter",
        fragment,
        Line: line);

    private static BadInputCase Csv(string name, string text, DelimitedLoadOptions? options, string fragment, long? line = null) => new(
        name,
        d => { string p = d.WriteText(name + ".csv", text); return () => DelimitedDatasetLoader.Load(p, options); },
        typeof(DataFormatException),
        name + ".csv",
        fragment,
        Line: line);

    /// <summary>A stream that cannot seek or tell its length (a pipe), so the reader cannot check sizes up front.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}
