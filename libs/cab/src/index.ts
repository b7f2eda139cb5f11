export { CabError, CabErrorCode } from './cab-error';
export { CabReader, DEFAULT_MAX_RATIO, DEFAULT_MAX_UNCOMPRESSED_SIZE } from './cab-reader';
export { bufferSource, fileHandleSource } from './cab-source';
export type { CabSource } from './cab-source';
export { CabCompression, CabFileAttribute, CabHeaderFlag } from './cab-types';
export type { CabEntry, CabFile, CabFolder, CabHeader, CabReaderOptions, CabSignatureArea } from './cab-types';
export { CAB_BLOCK_SIZE, cabDataBlock, cabDataFrame, MAX_CAB_DATA, writeCabinet } from './cab-writer';
export type { CabinetInput } from './cab-writer';
