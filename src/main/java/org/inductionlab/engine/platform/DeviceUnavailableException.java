package org.inductionlab.engine.platform;

/** A GPU was asked for and DJL sees none: never fall back to the CPU silently. */
public final class DeviceUnavailableException extends IllegalArgumentException {
    public DeviceUnavailableException(String message) {
        super(message);
    }
}
