package io.raftkv.checker;

import java.util.List;
import java.util.Set;

/** The models the checker knows, by name. A new model is one class plus one line here. */
public final class Models {
  private static final List<Model> ALL = List.of(RegisterModel.INSTANCE, KvModel.INSTANCE);
  private static final Set<String> KV_FUNCTIONS = Set.of("get", "put", "append");

  private Models() {}

  /** {@code register}, {@code kv}; {@code etcd-register} (the shared manifest's name) too. */
  public static Model byName(String name) {
    if (name.equals("etcd-register")) {
      return RegisterModel.INSTANCE;
    }
    for (Model model : ALL) {
      if (model.name().equals(name)) {
        return model;
      }
    }
    throw new IllegalArgumentException("unknown model '" + name + "' (known: " + names() + ")");
  }

  /** The model names, for usage messages. */
  public static List<String> names() {
    return ALL.stream().map(Model::name).toList();
  }

  /** kv when the history uses get/put/append, otherwise register. */
  public static Model infer(History history) {
    for (Operation operation : history.operations()) {
      if (KV_FUNCTIONS.contains(operation.function())) {
        return KvModel.INSTANCE;
      }
    }
    return RegisterModel.INSTANCE;
  }
}
