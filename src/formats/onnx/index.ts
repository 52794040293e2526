/** ONNX reader and writer for fully connected ReLU networks. */
export { readOnnx, SUPPORTED_ONNX_OPS } from './read.js';
export { writeOnnx, type WriteOnnxOptions } from './write.js';
