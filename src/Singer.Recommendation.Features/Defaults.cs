namespace Singer.Recommendation.Features;

/// <summary>The defaults of the option records, in one place so that the short overloads reuse them.</summary>
internal static class Defaults
{
    public const string TextModalityName = "text";
    public const string ImageModalityName = "image";
    public const int TextBatchSize = 32;

    // all-MiniLM-L6-v2 is used with max_seq_length 256 by sentence-transformers; [CLS] and [SEP] take two.
    public const int MaxWordPieces = 254;
    public const string FieldSeparator = " ";
    public const int IntraOpThreads = 0;
    public const string ImageModelFolder = "DnnImageModels";
}
