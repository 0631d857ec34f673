package org.inductionlab.ui.sweep;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A colour per plotted series that stays with it: a series keeps its colour while it is plotted, whatever
 * else is ticked or unticked, and gets it back when it returns if no other series took it meanwhile. A new
 * series takes the first colour no plotted series holds. The palette keeps clear of the paper's rows
 * ({@link ReferenceResults}: grey, wine, violet and green, all dashed), so no run reads as one of them.
 */
public final class SeriesColours {

    /**
     * Blue, orange, pink, brown, cyan, black, amber, orchid, red, periwinkle: apart on a projector; no green
     * or teal (the paper's Mamba), grey (its MHA-Abs), wine (MHA-RoPE) or indigo (MHA-xPos).
     */
    public static final List<String> PALETTE = List.of("#1971c2", "#e8590c", "#e64980", "#8d5524", "#22b8cf",
            "#212529", "#f59f00", "#be4bdb", "#c92a2a", "#5c7cfa");

    private final Map<String, Integer> remembered = new HashMap<>();
    private Set<String> shown = Set.of();

    /** The colours for {@code plotted} (in any order), each series keeping the colour it had. */
    public Map<String, String> assign(Collection<String> plotted) {
        List<String> names = plotted.stream().distinct().sorted().toList();
        Map<String, String> out = new HashMap<>();
        Set<Integer> taken = new HashSet<>();
        List<String> rest = new ArrayList<>();
        for (String n : names) { // the series already shown keep theirs
            if (shown.contains(n) && taken.add(remembered.get(n))) {
                out.put(n, PALETTE.get(remembered.get(n)));
            } else {
                rest.add(n);
            }
        }
        List<String> fresh = new ArrayList<>();
        for (String n : rest) { // a series that comes back takes its old colour if it is free
            Integer i = remembered.get(n);
            if (i != null && taken.add(i)) {
                out.put(n, PALETTE.get(i));
            } else {
                fresh.add(n);
            }
        }
        for (String n : fresh) {
            int i = 0;
            while (i < PALETTE.size() && taken.contains(i)) {
                i++;
            }
            if (i == PALETTE.size()) { // more series than colours: share, round robin
                i = out.size() % PALETTE.size();
            }
            taken.add(i);
            remembered.put(n, i);
            out.put(n, PALETTE.get(i));
        }
        shown = Set.copyOf(names);
        return out;
    }
}
