package org.inductionlab.ui.event;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A small typed event bus: pages publish what the user asked for ("open this run in Attention") and the
 * pages that can do it subscribe, so no page holds another. Handlers run on the publishing thread; those
 * of one type in the order they subscribed. A handler subscribed to a type also hears its subtypes.
 */
public final class EventBus {

    private final Map<Class<?>, List<Consumer<Object>>> handlers = new ConcurrentHashMap<>();

    /** Calls {@code handler} with every event of {@code type} published from now on. */
    public <E> void subscribe(Class<E> type, Consumer<? super E> handler) {
        handlers.computeIfAbsent(type, t -> new CopyOnWriteArrayList<>()).add(e -> handler.accept(type.cast(e)));
    }

    /** Hands {@code event} to every subscriber of its type (or a supertype). */
    public void publish(Object event) {
        handlers.forEach((type, list) -> {
            if (type.isInstance(event)) {
                list.forEach(h -> h.accept(event));
            }
        });
    }
}
