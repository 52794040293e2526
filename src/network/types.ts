/** Activation after a dense layer. `identity` is used for the output layer (and is folded away elsewhere). */
export type Activation = 'relu' | 'identity';

/**
 * A dense layer z = W x + b followed by its activation.
 * `weights` is row-major, `outSize` rows by `inSize` columns (row j holds unit j's weights w_j).
 */
export interface Layer {
  inSize: number;
  outSize: number;
  weights: Float64Array;
  bias: Float64Array;
  activation: Activation;
}

/**
 * Input/output normalisation of a .nnet network. The network itself computes in normalised
 * coordinates: x_norm = (x_raw - inputMean) / inputRange, y_raw = y_norm * outputRange + outputMean.
 * `inputMin`/`inputMax` are the raw bounds the .nnet format clips inputs to.
 */
export interface Normalization {
  inputMin: Float64Array;
  inputMax: Float64Array;
  inputMean: Float64Array;
  inputRange: Float64Array;
  outputMean: number;
  outputRange: number;
}

/** Where a network came from, for `info` and messages. */
export interface NetworkSource {
  format: 'onnx' | 'nnet' | 'json' | 'memory';
  name?: string;
  /** Free-form facts of the reader, e.g. the ONNX operators folded into each layer. */
  notes?: string[];
}

/**
 * A fully connected ReLU network: a chain of dense layers. Layer numbering used throughout:
 * layer 0 is the input, layer l (1..L) is the activity after dense layer l (post-activation).
 */
export interface Network {
  inputSize: number;
  outputSize: number;
  layers: Layer[];
  normalization?: Normalization;
  source?: NetworkSource;
}

/** A box [lo, hi] in some coordinates (componentwise). */
export interface Box {
  lo: Float64Array;
  hi: Float64Array;
}
