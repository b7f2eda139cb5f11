export { bufferSource, readCpioMembers, readMemberData } from './cpio-reader';
export type { ByteSource, CpioFormat, CpioLimits, CpioMember } from './cpio-reader';
export { SwuError, SwuErrorCode } from './swu-error';
export { readSwuHead, SW_DESCRIPTION, SW_DESCRIPTION_SIGNATURE, verifySwuSignature } from './swu-image';
export type { SwuHead } from './swu-image';
export { bufferEntry, byteSum, cpioSize, writeCpio } from './cpio-writer';
export type { CpioEntry } from './cpio-writer';
